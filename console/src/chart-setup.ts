/**
 * Chart.js with only the pieces the console draws (floating bars on a time axis, lines), and the
 * date-fns adapter for time scales. Imported by the chart components only.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, TimeScale, Title, Tooltip } from 'chart.js';
import 'chartjs-adapter-date-fns';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, TimeScale, LineController, LineElement, PointElement, Legend, Tooltip, Title);
// Charts follow the page's font and honour reduced motion.
Chart.defaults.font.family = 'system-ui, sans-serif';
if (matchMedia('(prefers-reduced-motion: reduce)').matches) Chart.defaults.animation = false;

export { Chart };
