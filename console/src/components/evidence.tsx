import type { Evidence } from '../api';
import { approx, bytes, count, span } from '../format';

/** Evidence replay progress: records and bytes copied, rate and ETA while it runs. */
export function EvidenceProgress({ evidence }: { evidence: Evidence | null }) {
  if (!evidence) return <p class="empty">Evidence preservation has not started.</p>;
  const total = evidence.totalRecords;
  const fraction = evidence.done ? 1 : total && approx(total) > 0 ? Math.min(1, approx(evidence.records) / approx(total)) : undefined;
  return (
    <div class="evidence" data-done={String(evidence.done)}>
      <progress max={1} value={fraction} aria-label="evidence preserved">
        {fraction === undefined ? '' : `${Math.round(fraction * 100)}%`}
      </progress>
      <p>
        {evidence.done ? 'Preserved: ' : 'Preserving: '}
        {count(evidence.records)} records{total ? ` of ${count(total)}` : ''}, {bytes(evidence.bytes)}
        {!evidence.done && evidence.ratePerSecond !== undefined && ` · ${count(Math.round(evidence.ratePerSecond))} records/s`}
        {!evidence.done && evidence.etaSeconds !== undefined && ` · about ${span(evidence.etaSeconds * 1000)} left`}
      </p>
    </div>
  );
}
