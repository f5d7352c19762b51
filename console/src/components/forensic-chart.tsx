import type { PartitionRange } from '../api';
import { count, utc } from '../format';
import { useChart } from '../use-chart';

/** Colours and meanings of the three precisions (also shown in words in the legend and the table). */
export const PRECISIONS = [
  { id: 'exact', label: 'exact (broker request log)', colour: '#1b7f3b' },
  { id: 'bounded', label: 'bounded (offsets, committed positions)', colour: '#c77700' },
  { id: 'time-derived', label: 'time-derived (timestamp index)', colour: '#6a3fb5' },
] as const;

function partitionLabel(r: PartitionRange): string {
  return `${r.topic}/${r.partition}`;
}

/**
 * The forensic window as a chart: one row per partition, time across, each range a floating bar
 * coloured by how precisely it is known. A table below gives the same figures in words.
 */
export function ForensicChart({ partitions }: { partitions: PartitionRange[] }) {
  const canvas = useChart(() => {
    const labels = [...new Set(partitions.map(partitionLabel))];
    // Only ranges whose times are known can be drawn on a time axis; the table lists them all.
    const timed = partitions.filter((r): r is PartitionRange & { fromTime: string; toTime: string } => r.fromTime !== null && r.toTime !== null);
    // The time axis spans the window itself (with a margin): left to itself a bar chart's value
    // axis starts at zero, which on a time axis is 1970.
    const from = Math.min(...timed.map((r) => Date.parse(r.fromTime)));
    const to = Math.max(...timed.map((r) => Date.parse(r.toTime)));
    const margin = Math.max(60_000, (to - from) * 0.05);
    const span = timed.length > 0 ? { min: from - margin, max: to + margin } : {};
    return {
      type: 'bar',
      data: {
        labels,
        datasets: PRECISIONS.map((p) => ({
          label: p.label,
          backgroundColor: p.colour,
          borderColor: p.colour,
          borderSkipped: false,
          barPercentage: 0.7,
          grouped: false,
          data: timed
            .filter((r) => r.precision === p.id)
            .map((r) => ({ y: partitionLabel(r), x: [Date.parse(r.fromTime), Math.max(Date.parse(r.toTime), Date.parse(r.fromTime) + 1000)] as [number, number], records: r.records })),
        })),
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        parsing: { xAxisKey: 'x', yAxisKey: 'y' },
        scales: {
          x: { type: 'time', ...span, ticks: { maxTicksLimit: 12 }, time: { tooltipFormat: 'yyyy-MM-dd HH:mm:ss' }, title: { display: true, text: 'time read by the attacker (browser time zone)' } },
          y: { type: 'category', ticks: { autoSkip: false }, title: { display: true, text: 'topic/partition' } },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (item) => {
                const raw = item.raw as { records?: string };
                return `${item.dataset.label ?? ''}: ${count(raw.records ?? '0')} records`;
              },
            },
          },
        },
      },
    };
  }, [partitions]);
  const height = Math.max(220, 120 + 30 * new Set(partitions.map(partitionLabel)).size);
  return (
    <figure class="forensic" data-ranges={partitions.length}>
      <div class="chart-box" style={{ height: `${height}px` }}>
        <canvas ref={canvas} role="img" aria-label={`Forensic window: ${partitions.length} ranges over ${new Set(partitions.map(partitionLabel)).size} partitions`} />
      </div>
      <figcaption>
        <table class="ranges">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col">Offsets</th>
              <th scope="col">From (UTC)</th>
              <th scope="col">To (UTC)</th>
              <th scope="col">Records</th>
              <th scope="col">Precision</th>
              <th scope="col">Sources</th>
            </tr>
          </thead>
          <tbody>
            {partitions.map((r) => (
              <tr key={`${partitionLabel(r)}:${r.fromOffset}`} data-precision={r.precision}>
                <td>{partitionLabel(r)}</td>
                <td>
                  {String(r.fromOffset)}–{String(r.toOffset)}
                </td>
                <td>{utc(r.fromTime ?? undefined)}</td>
                <td>{utc(r.toTime ?? undefined)}</td>
                <td class="num">{count(r.records)}</td>
                <td>
                  <span class={`precision precision-${r.precision}`}>{r.precision}</span>
                </td>
                <td>{r.sources.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
