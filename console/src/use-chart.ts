import type { ChartConfiguration, ChartType, DefaultDataPoint } from 'chart.js';
import { useEffect, useRef, type Inputs } from 'preact/hooks';

/**
 * Draws a Chart.js chart on the returned canvas ref and redraws it when `inputs` change. Chart.js
 * is loaded on the first chart drawn, so the list and the sign-in stay small; `config` runs once it
 * is loaded, and a chart whose component went away meanwhile is never drawn.
 */
export function useChart<TType extends ChartType, TData = DefaultDataPoint<TType>, TLabel = unknown>(config: () => ChartConfiguration<TType, TData, TLabel>, inputs: Inputs) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const target = canvas.current;
    if (!target) return undefined;
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    void import('./chart-setup').then(({ Chart }) => {
      if (cancelled) return;
      chart = new Chart(target, config());
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
    // The caller names what the chart is drawn from; `config` is a new closure every render.
  }, inputs);
  return canvas;
}
