import type { AccessObservation } from '../../../domain/access-observations';
import type { LoggedFetch } from './parse';

/**
 * From logged fetches to offset ranges. A consumer asks for the offset after the last record it
 * got, so two successive fetches of one partition on one connection, at `a` then `b > a`, mean the
 * broker served `[a, b)` in answer to the first: exact. The last fetch of a chain that returned
 * records (or a fetch followed by a seek backwards) says where the served records began but not
 * where they ended: its range runs to the high watermark of that response (or the log end), and
 * is labelled `bounded`. A fetch that returned no records serves nothing.
 */

/** Options of {@link fetchRanges}. */
export interface FetchRangesOptions {
  principal: string;
  topics: readonly string[];
  /** Epoch ms bounds; lines outside are ignored (lines without a time are kept). */
  since?: number;
  until?: number;
  /** Topic id (base64 UUID, Fetch v13+) → name. */
  topicNames?: ReadonlyMap<string, string>;
  /** Told of every partition of a principal's fetch whose topic id the map does not name (never guessed). */
  onUnmapped?: (topicId: string, partition: number) => void;
  /** Per `topic:partition`, the log end now: the bound of a tail whose response has no high watermark. */
  logEnd?: ReadonlyMap<string, bigint>;
  /** The source id the observations carry. @default 'request-log' */
  source?: string;
}

interface Pending {
  offset: bigint;
  /** Bytes served in answer; undefined = unknown (no response logged). */
  bytes: number | undefined;
  highWatermark?: bigint;
  time: number;
  clientId: string;
  clientAddress?: string;
}

/** Ranges served to the principal, in the order the chains end. */
export function fetchRanges(fetches: Iterable<LoggedFetch>, options: FetchRangesOptions): AccessObservation[] {
  const source = options.source ?? 'request-log';
  const wanted = new Set(options.topics);
  const pending = new Map<string, Pending & { topic: string; partition: number }>();
  const out: AccessObservation[] = [];
  const emit = (topic: string, partition: number, p: Pending, to: bigint, precision: 'exact' | 'bounded'): void => {
    if (to <= p.offset) return;
    out.push({
      source,
      principal: options.principal,
      clientId: p.clientId,
      ...(p.clientAddress !== undefined ? { clientAddress: p.clientAddress } : {}),
      topic,
      partition,
      from: p.offset.toString(),
      to: to.toString(),
      time: p.time,
      precision,
      // The bytes the broker sent in answer are a fact even where the range is only bounded.
      ...(p.bytes !== undefined ? { bytes: String(p.bytes) } : {}),
    });
  };
  const tail = (key: string): void => {
    const p = pending.get(key);
    if (p === undefined || p.bytes === 0) return;
    const end = p.highWatermark ?? options.logEnd?.get(`${p.topic}:${p.partition}`);
    if (end !== undefined) emit(p.topic, p.partition, p, end, 'bounded');
  };

  for (const f of fetches) {
    if (f.principal !== options.principal) continue;
    if (f.time !== undefined && ((options.since !== undefined && f.time < options.since) || (options.until !== undefined && f.time > options.until))) continue;
    for (const part of f.partitions) {
      const topic = part.topic ?? (part.topicId !== undefined ? options.topicNames?.get(part.topicId) : undefined);
      if (topic === undefined && part.topicId !== undefined) options.onUnmapped?.(part.topicId, part.partition);
      if (topic === undefined || !wanted.has(topic)) continue;
      const key = `${f.connection}\u0000${topic}\u0000${part.partition}`;
      const before = pending.get(key);
      // Incremental fetch sessions (KIP-227) leave unchanged partitions out of the request.
      const offset = part.fetchOffset ?? before?.offset;
      if (offset === undefined) continue;
      if (before !== undefined && before.bytes !== 0) {
        if (offset > before.offset) emit(topic, part.partition, before, offset, 'exact');
        else tail(key);
      }
      const failed = part.errorCode !== undefined && part.errorCode !== 0;
      const bytes = failed ? 0 : part.recordsBytes ?? (f.hasResponse ? 0 : undefined);
      pending.set(key, {
        topic,
        partition: part.partition,
        offset,
        bytes,
        ...(part.highWatermark !== undefined && part.highWatermark >= 0n ? { highWatermark: part.highWatermark } : {}),
        time: f.time ?? before?.time ?? 0,
        clientId: f.clientId,
        ...(f.clientAddress !== undefined ? { clientAddress: f.clientAddress } : {}),
      });
    }
  }
  for (const key of pending.keys()) tail(key);
  return out;
}
