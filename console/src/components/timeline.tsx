import type { TimelineEntry } from '../api';
import { utc } from '../format';

/** The incident's timeline (a projection of its audit chain), oldest first. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <p class="empty">Nothing recorded yet.</p>;
  return (
    <ol class="timeline">
      {entries.map((e, i) => (
        <li key={`${e.at}:${i}`} data-type={e.type}>
          <time dateTime={e.at}>{utc(e.at)}</time> <span class="type">{e.type}</span> {e.summary}
          {e.actor && <span class="sub"> — {e.actor}</span>}
        </li>
      ))}
    </ol>
  );
}
