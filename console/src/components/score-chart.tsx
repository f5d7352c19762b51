import type { Drill } from '../api';
import { useChart } from '../use-chart';

/** Drill scores over time (a line, points red where the drill failed). */
export function ScoreChart({ drills: all }: { drills: Drill[] }) {
  // Drills still running (or that failed before scoring) have no score to plot.
  const drills = all.filter((d): d is Drill & { score: number } => d.score !== null);
  const canvas = useChart(
    () => ({
      type: 'line',
      data: {
        datasets: [
          {
            label: 'drill score',
            data: drills.map((d) => ({ x: Date.parse(d.startedAt), y: d.score })),
            borderColor: '#1f5fa8',
            pointBackgroundColor: drills.map((d) => (d.passed ? '#1b7f3b' : '#b3261e')),
            pointRadius: 5,
            tension: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'time', ticks: { maxTicksLimit: 10 }, title: { display: true, text: 'drill started' } },
          y: { min: 0, max: 100, title: { display: true, text: 'score' } },
        },
        plugins: { legend: { display: false } },
      },
    }),
    [all],
  );
  return (
    <figure class="trend" data-points={drills.length}>
      <div class="chart-box" style={{ height: '260px' }}>
        <canvas ref={canvas} role="img" aria-label={`Drill score trend over ${drills.length} drills`} />
      </div>
    </figure>
  );
}
