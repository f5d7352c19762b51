import type { UnlocatedWritesEntry } from './events';

/**
 * Writes the forensics could not place (access: write). The request log shows some produces of the
 * principal without offsets: acks=0 produces (the broker sends no response, so it logs no base
 * offset) and Produce v13+ lines naming a topic id no metadata maps. They are not in the window's
 * ranges, so wherever the window is shown (timeline, report, regulator drafts) it must say they
 * exist, or the window reads as complete when it is only a lower bound.
 *
 * Pure: the activity summarises what the sources returned into the event; the readers render it.
 */

/** What a source reports for one unplaced write (structurally, `UnlocatedWrite` of src/forensics). */
export interface UnplacedWrite {
  topic?: string;
  partition?: number;
  /** Epoch ms of the line; 0 when the line carries no time. */
  time: number;
  reason: UnlocatedWritesEntry['reason'];
}

/**
 * The entries of `topic`'s event: writes naming `topic`, and writes naming no topic (they may be to
 * it), counted per reason and per whether the topic was named. Writes to other topics are ignored.
 */
export function summariseUnlocated(writes: readonly UnplacedWrite[], topic: string): UnlocatedWritesEntry[] {
  const groups = new Map<string, UnlocatedWritesEntry>();
  for (const w of writes) {
    if (w.topic !== undefined && w.topic !== topic) continue;
    const topicNamed = w.topic !== undefined;
    const key = `${w.reason}/${topicNamed}`;
    const entry = groups.get(key) ?? { reason: w.reason, count: 0, topicNamed, partitions: [], firstTs: null, lastTs: null };
    groups.set(key, entry);
    entry.count++;
    if (w.partition !== undefined && !entry.partitions.includes(w.partition)) entry.partitions.push(w.partition);
    if (w.time > 0) {
      entry.firstTs = entry.firstTs === null ? w.time : Math.min(entry.firstTs, w.time);
      entry.lastTs = entry.lastTs === null ? w.time : Math.max(entry.lastTs, w.time);
    }
  }
  const entries = [...groups.values()];
  for (const e of entries) e.partitions.sort((a, b) => a - b);
  // Stable order: reason, then named before unnamed, so the event is the same on every retry.
  return entries.sort((a, b) => (a.reason === b.reason ? Number(b.topicNamed) - Number(a.topicNamed) : a.reason < b.reason ? -1 : 1));
}

const REASONS: Record<UnlocatedWritesEntry['reason'], string> = {
  'acks-0': 'acks=0: the broker logs no offsets for them',
  'unknown-topic-id': 'Produce v13+ lines naming a topic id no metadata maps: neither topic nor offsets are known',
};

const iso = (ms: number | null): string => (ms === null ? 'unknown' : new Date(ms).toISOString());

/** One entry as a sentence fragment, e.g. `3 writes could not be placed (acks=0: …) on partitions 0, 2 between … and …`. */
function entryText(e: UnlocatedWritesEntry): string {
  const where = e.partitions.length === 0 ? '' : ` on ${e.partitions.length === 1 ? 'partition' : 'partitions'} ${e.partitions.join(', ')}`;
  const when = e.firstTs === null ? '' : e.firstTs === e.lastTs ? ` at ${iso(e.firstTs)}` : ` between ${iso(e.firstTs)} and ${iso(e.lastTs)}`;
  const unnamed = e.topicNamed ? '' : '; the log lines name no topic, so they may be to this topic or another';
  return `${e.count} ${e.count === 1 ? 'write' : 'writes'} of the principal could not be placed (${REASONS[e.reason]})${where}${when}${unnamed}`;
}

/**
 * The statement shown next to a window, or undefined when the window has no unplaced writes
 * (windows of earlier releases, read windows, write windows fully placed).
 */
export function unlocatedStatement(entries: readonly UnlocatedWritesEntry[] | undefined): string | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  return `${entries.map(entryText).join('; ')}. The window is a lower bound for this topic.`;
}

/** Total writes that could not be placed, over a window's entries (0 when none or absent). */
export function unlocatedCount(entries: readonly UnlocatedWritesEntry[] | undefined): number {
  return (entries ?? []).reduce((n, e) => n + e.count, 0);
}

/**
 * A short form for tight places (the Slack card): `3 writes on orders could not be placed (acks=0)`,
 * or undefined when none. The full statement stays in the timeline and the report.
 */
export function unlocatedBrief(topic: string, entries: readonly UnlocatedWritesEntry[] | undefined): string | undefined {
  const n = unlocatedCount(entries);
  if (n === 0) return undefined;
  const reasons = [...new Set((entries ?? []).map((e) => (e.reason === 'acks-0' ? 'acks=0' : 'unknown topic id')))].join(', ');
  return `${n} ${n === 1 ? 'write' : 'writes'} on ${topic} could not be placed (${reasons})`;
}
