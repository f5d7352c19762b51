import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { DomainEvent } from './events';

/**
 * The hash chain of the audit topic (design §3). Each incident has its own chain; several chains
 * may interleave on one topic. This module uses `node:crypto` and is therefore NOT importable by
 * workflow code: sealing happens in the activity that appends to the topic.
 */

/** prevHash of the first event of every incident. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event as stored on the audit topic. */
export type SealedEvent<E extends DomainEvent = DomainEvent> = E & { prevHash: string; hash: string };

/** Why a chain is broken. */
export type ChainBreakReason =
  /** The record is not an event envelope with a seq and hex hashes. */
  | 'malformed'
  /** The record's content does not hash to its `hash`: it was altered after sealing. */
  | 'tampered'
  /** The record is the expected next one but its `prevHash` is not the previous record's hash. */
  | 'broken-link'
  /** One or more seqs are missing and never appear. */
  | 'gap'
  /** The expected seq does appear, but later: records are out of order. */
  | 'reorder'
  /** The same record (same seq, same hash) appears again. */
  | 'duplicate'
  /** Another record with an already used seq but different content: a fork. */
  | 'conflict';

/** The result of `verifyChain`. */
export type ChainVerification =
  | { ok: true; records: number; heads: Record<string, { seq: number; hash: string }> }
  | { ok: false; index: number; incidentId: string | null; seq: number | null; reason: ChainBreakReason; message: string };

/**
 * sha256(prevHash ‖ canonicalJSON(event without its hash fields)), hex. `prevHash` enters as its
 * 64 lowercase hex characters (UTF-8), directly followed by the canonical JSON (UTF-8): anyone
 * can re-check a record with `printf '%s%s' "$prevHash" "$json" | sha256sum`.
 */
export function hashEvent(event: DomainEvent, prevHash: string): string {
  const { prevHash: _p, hash: _h, ...content } = event as SealedEvent;
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalJson(content), 'utf8').digest('hex');
}

/** Seals an event onto a chain whose last hash is `prevHash` (GENESIS_HASH for seq 1). */
export function sealEvent<E extends DomainEvent>(event: E, prevHash: string): SealedEvent<E> {
  if (!HEX64.test(prevHash)) throw new TypeError('prevHash must be 64 lowercase hex digits');
  const { prevHash: _p, hash: _h, ...content } = event as SealedEvent<E>;
  return { ...(content as unknown as E), prevHash, hash: hashEvent(content as unknown as E, prevHash) };
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Walks audit records in topic order and reports the FIRST problem, with its index: a record
 * whose content no longer matches its hash, a broken link, a gap, a reorder, a duplicate or a
 * fork. Chains are followed per incident, so interleaved incidents are fine.
 */
export function verifyChain(records: readonly unknown[]): ChainVerification {
  const verifier = new ChainVerifier();
  for (const record of records) {
    const problem = verifier.push(record);
    if (problem !== undefined) return problem;
  }
  return verifier.finish();
}

type Failure = Extract<ChainVerification, { ok: false }>;

/**
 * The streaming form of `verifyChain`, for walking a topic without holding it: `push` each record
 * in order (it returns the first problem as soon as it is certain), then `finish`.
 *
 * A missing seq is not yet a verdict: if it turns up later the records were reordered, if it
 * never does there is a gap. Either way the problem is reported at the index where the chain
 * first went wrong, so later records only matter for telling the two apart. Memory: one hash per
 * record seen (to tell a harmless duplicate from a fork).
 */
export class ChainVerifier {
  private index = 0;
  private readonly heads = new Map<string, { seq: number; hash: string; seen: Map<number, string> }>();
  private pending: Failure | undefined;
  private missing: { incidentId: string; seq: number } | undefined;
  private failed: Failure | undefined;

  /** Checks the next record; returns the chain's first problem once it is known. */
  push(record: unknown): Failure | undefined {
    const index = this.index++;
    if (this.failed !== undefined) return this.failed;
    if (this.pending !== undefined) {
      if (isEnvelope(record) && record.incidentId === this.missing?.incidentId && record.seq === this.missing.seq) {
        this.failed = { ...this.pending, reason: 'reorder', message: `${this.pending.message}expected seq ${this.missing.seq} first; it comes later, at record ${index}` };
        return this.failed;
      }
      return undefined;
    }
    const problem = this.check(record, index);
    if (problem === undefined) return undefined;
    if (problem.reason === 'gap') {
      // Might still be a reorder: hold the verdict until the missing seq shows up or the end.
      this.pending = problem;
      return undefined;
    }
    this.failed = problem;
    return problem;
  }

  /** The verdict once every record has been pushed. */
  finish(): ChainVerification {
    if (this.failed !== undefined) return this.failed;
    if (this.pending !== undefined && this.missing !== undefined) {
      const { seq } = this.missing;
      const last = this.pending.seq === null ? seq : this.pending.seq - 1;
      this.failed = { ...this.pending, message: `${this.pending.message}seq ${seq}${last > seq ? `..${last}` : ''} missing` };
      return this.failed;
    }
    const heads: Record<string, { seq: number; hash: string }> = {};
    for (const [id, h] of this.heads) heads[id] = { seq: h.seq, hash: h.hash };
    return { ok: true, records: this.index, heads };
  }

  private check(r: unknown, index: number): Failure | undefined {
    if (!isEnvelope(r)) {
      return { ok: false, index, incidentId: null, seq: null, reason: 'malformed', message: `record ${index} is not a sealed event` };
    }
    const fail = (reason: ChainBreakReason, message: string): Failure => ({
      ok: false,
      index,
      incidentId: r.incidentId,
      seq: r.seq,
      reason,
      message: `record ${index} (incident ${r.incidentId}, seq ${r.seq}): ${message}`,
    });

    let actual: string;
    try {
      actual = hashEvent(r as unknown as DomainEvent, r.prevHash);
    } catch (error) {
      return fail('malformed', (error as Error).message);
    }
    if (actual !== r.hash) return fail('tampered', `content hashes to ${actual.slice(0, 12)}…, record says ${r.hash.slice(0, 12)}…`);

    const head = this.heads.get(r.incidentId) ?? { seq: 0, hash: GENESIS_HASH, seen: new Map<number, string>() };
    const expected = head.seq + 1;
    if (r.seq < expected) {
      return head.seen.get(r.seq) === r.hash
        ? fail('duplicate', `seq ${r.seq} already appeared`)
        : fail('conflict', `seq ${r.seq} already appeared with different content`);
    }
    if (r.seq > expected) {
      this.missing = { incidentId: r.incidentId, seq: expected };
      return { ...fail('gap', ''), message: `record ${index} (incident ${r.incidentId}, seq ${r.seq}): ` };
    }
    if (r.prevHash !== head.hash) {
      return fail('broken-link', `prevHash ${r.prevHash.slice(0, 12)}… does not match seq ${head.seq}'s hash ${head.hash.slice(0, 12)}…`);
    }
    head.seq = r.seq;
    head.hash = r.hash;
    head.seen.set(r.seq, r.hash);
    this.heads.set(r.incidentId, head);
    return undefined;
  }
}

function isEnvelope(r: unknown): r is { incidentId: string; seq: number; prevHash: string; hash: string } {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  return (
    typeof o.incidentId === 'string' &&
    typeof o.seq === 'number' &&
    Number.isSafeInteger(o.seq) &&
    o.seq >= 1 &&
    typeof o.prevHash === 'string' &&
    HEX64.test(o.prevHash) &&
    typeof o.hash === 'string' &&
    HEX64.test(o.hash)
  );
}
