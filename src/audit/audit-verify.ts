import type { Kafka } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { isCheckpointRecord, parseCheckpoint, verifyCheckpointSignature, type PublicKeyRing, type SignedCheckpoint } from '../domain/audit-checkpoint';
import { ChainVerifier, type ChainVerification } from '../domain/audit-chain';
import type { AuditAnchor } from './audit-anchor';
import { readAuditRecords, recordIncident, type AuditRecord } from './audit-reader';
import { topicBounds } from './topic-reader';

/**
 * The full verdict on an audit topic (docs/audit-topic.md, "Verifying"): the hash chains, the
 * signed checkpoints (with the PUBLIC key only), that every event is covered by a checkpoint, the
 * topic's retention, its log start (truncation) and its end against the anchor kept in Vault KV
 * (a deleted and recreated topic). Pure over the facts gathered by {@link inspectAuditTopic}, so
 * a third party can run it on an exported copy and the benchmark can time it.
 */

/** Everything verify looks at, read from Kafka (and Vault) beforehand. */
export interface AuditTopicFacts {
  topic: string;
  /** Log start offset and high watermark of partition 0. */
  low: bigint;
  high: bigint;
  partitions: number;
  /** The topic's `retention.ms`, `retention.bytes`, `cleanup.policy` as described. */
  configs: Readonly<Record<string, string | undefined>>;
  /** Every record from the log start to the high watermark, in offset order. */
  records: readonly AuditRecord[];
}

/** What verify trusts. Absent fields are reported as not checked. */
export interface AuditTrust {
  /** Public keys of the transit signing key; absent: signatures are not checked. */
  keys?: PublicKeyRing;
  /** The anchor from Vault KV; `null` = looked up and none exists; absent = not looked up. */
  anchor?: AuditAnchor | null;
  /** Judge this incident only (topic-level checks still apply). */
  incidentId?: string;
}

/** One failed check. */
export interface AuditFailure {
  check: 'chain' | 'checkpoint' | 'signature' | 'unsigned-tail' | 'retention' | 'partitions' | 'truncated' | 'anchor' | 'no-public-key';
  message: string;
  offset?: string;
  incidentId?: string;
  seq?: number;
}

/** Per incident: what was checked and found. */
export interface IncidentReport {
  records: number;
  lastSeq: number;
  closed: boolean;
  checkpoints: number;
  /** Highest seq covered by a valid signed checkpoint (0 = none). */
  signedThroughSeq: number;
  ok: boolean;
}

/** The verdict. `ok` only when every check that could run passed. */
export type AuditReport = {
  ok: boolean;
  topic: string;
  /** Records read (events, checkpoints and anything else). */
  records: number;
  checked: { chains: true; signatures: boolean; coverage: boolean; retention: true; logStart: true; anchor: boolean };
  failures: AuditFailure[];
  incidents: Record<string, IncidentReport>;
} & Partial<Omit<Extract<ChainVerification, { ok: false }>, 'ok'>> & { offset?: string };

interface EventAt {
  incidentId: string;
  seq: number;
  hash: string;
}

/** Verifies the facts against the trust anchors; see {@link AuditReport}. */
export function verifyAuditTopic(facts: AuditTopicFacts, trust: AuditTrust = {}): AuditReport {
  const failures: AuditFailure[] = [];
  const mine = (r: AuditRecord): boolean => trust.incidentId === undefined || recordIncident(r) === trust.incidentId;
  const incidents: Record<string, IncidentReport> = {};
  const incident = (id: string): IncidentReport => (incidents[id] ??= { records: 0, lastSeq: 0, closed: false, checkpoints: 0, signedThroughSeq: 0, ok: true });

  // 1. Chains (events only) and the index of every event by offset.
  const chain = new ChainVerifier();
  const chainIndex: AuditRecord[] = [];
  const events = new Map<string, EventAt>();
  const checkpoints: Array<{ record: AuditRecord; checkpoint: SignedCheckpoint }> = [];
  for (const record of facts.records) {
    if (!mine(record)) continue;
    if (isCheckpointRecord(record.value)) {
      const parsed = parseCheckpoint(record.value);
      if (parsed.ok) checkpoints.push({ record, checkpoint: parsed.checkpoint });
      else failures.push({ check: 'checkpoint', offset: record.offset, message: `record at offset ${record.offset} is a malformed checkpoint: ${parsed.reason}` });
      continue;
    }
    chainIndex.push(record);
    chain.push(record.value);
    const v = record.value as Partial<EventAt & { type: string }>;
    if (typeof v.incidentId === 'string' && typeof v.seq === 'number' && typeof v.hash === 'string') {
      events.set(record.offset, { incidentId: v.incidentId, seq: v.seq, hash: v.hash });
      const inc = incident(v.incidentId);
      inc.records++;
      if (v.seq > inc.lastSeq) {
        inc.lastSeq = v.seq;
        inc.closed = v.type === 'IncidentClosed';
      }
    }
  }
  const verdict = chain.finish();
  let first: Partial<Extract<ChainVerification, { ok: false }>> & { offset?: string } = {};
  if (!verdict.ok) {
    const offset = chainIndex[verdict.index]?.offset;
    const { ok: _ok, ...rest } = verdict;
    first = { ...rest, index: facts.records.indexOf(chainIndex[verdict.index] as AuditRecord), ...(offset !== undefined ? { offset } : {}) };
    failures.push({ check: 'chain', message: `${verdict.reason} at offset ${offset ?? '?'}: ${verdict.message}`, ...(offset !== undefined ? { offset } : {}), ...(verdict.incidentId !== null ? { incidentId: verdict.incidentId } : {}), ...(verdict.seq !== null ? { seq: verdict.seq } : {}) });
  }

  // 2. Checkpoints: signature, and that they name a record the topic holds.
  for (const { record, checkpoint: cp } of checkpoints) {
    const inc = incident(cp.incidentId);
    inc.checkpoints++;
    const where = `checkpoint at offset ${record.offset} (incident ${cp.incidentId}, seq ${cp.lastSeq})`;
    if (trust.keys !== undefined) {
      const sig = verifyCheckpointSignature(cp, trust.keys);
      if (!sig.ok) {
        failures.push({ check: 'signature', offset: record.offset, incidentId: cp.incidentId, seq: cp.lastSeq, message: `${where}: ${sig.reason}` });
        continue;
      }
    }
    const target = events.get(cp.topicOffset);
    if (BigInt(cp.topicOffset) >= BigInt(record.offset) || target === undefined || target.incidentId !== cp.incidentId || target.seq !== cp.lastSeq || target.hash !== cp.lastHash) {
      failures.push({ check: 'checkpoint', offset: record.offset, incidentId: cp.incidentId, seq: cp.lastSeq, message: `${where}: the topic does not hold that record at offset ${cp.topicOffset} (records missing, moved or altered)` });
      continue;
    }
    if (trust.keys !== undefined) inc.signedThroughSeq = Math.max(inc.signedThroughSeq, cp.lastSeq);
  }

  // 3. Coverage: with a key, every event must be under a valid signed checkpoint.
  if (trust.keys !== undefined) {
    for (const [offset, e] of events) {
      const inc = incidents[e.incidentId];
      if (inc !== undefined && e.seq > inc.signedThroughSeq && !failures.some((f) => f.check === 'unsigned-tail' && f.incidentId === e.incidentId)) {
        failures.push({ check: 'unsigned-tail', offset, incidentId: e.incidentId, seq: e.seq, message: `record at offset ${offset} (incident ${e.incidentId}, seq ${e.seq}) is not covered by any signed checkpoint: appended by someone other than the writer, or the writer crashed before signing` });
      }
    }
  } else if (checkpoints.length > 0) {
    failures.push({ check: 'no-public-key', message: 'the topic carries signed checkpoints but no public key was given: pass --public-key <file> or configure Vault' });
  }

  topicChecks(facts, trust, failures);
  for (const f of failures) if (f.incidentId !== undefined && incidents[f.incidentId] !== undefined) (incidents[f.incidentId] as IncidentReport).ok = false;
  return {
    ok: failures.length === 0,
    topic: facts.topic,
    records: facts.records.filter(mine).length,
    checked: { chains: true, signatures: trust.keys !== undefined, coverage: trust.keys !== undefined, retention: true, logStart: true, anchor: trust.anchor !== undefined },
    failures,
    incidents,
    ...first,
  };
}

/** Retention, partitions, log start and the anchor: properties of the whole topic. */
function topicChecks(facts: AuditTopicFacts, trust: AuditTrust, failures: AuditFailure[]): void {
  const retention = facts.configs['retention.ms'];
  if (retention !== '-1') failures.push({ check: 'retention', message: `retention.ms is ${retention ?? 'unset'}, must be -1: records would age out` });
  if (facts.partitions !== 1) failures.push({ check: 'partitions', message: `the audit topic has ${facts.partitions} partitions, must have 1` });
  if (facts.low > 0n) {
    const anchored = trust.anchor ? ` (first checkpoint anchored at offset ${trust.anchor.firstCheckpointOffset})` : '';
    failures.push({ check: 'truncated', message: `the log starts at offset ${facts.low}, not 0${anchored}: records were deleted (retention or DeleteRecords)` });
  }
  const anchor = trust.anchor;
  if (anchor === null) {
    if (facts.records.some((r) => isCheckpointRecord(r.value))) failures.push({ check: 'anchor', message: 'the topic carries checkpoints but Vault holds no anchor for it: the anchor was removed' });
    return;
  }
  if (anchor === undefined) return;
  const head = BigInt(anchor.lastCheckpointOffset);
  if (facts.high <= head) {
    failures.push({ check: 'anchor', offset: anchor.lastCheckpointOffset, message: `the topic ends at offset ${facts.high - 1n}, before the anchored checkpoint at offset ${head} (anchored ${anchor.updatedAt}): the topic was deleted and recreated, or cut` });
    return;
  }
  const record = facts.records.find((r) => r.offset === anchor.lastCheckpointOffset);
  const value = record?.value as { signature?: unknown } | undefined;
  if (record === undefined || !isCheckpointRecord(value) || value?.signature !== anchor.lastCheckpointSignature) {
    failures.push({ check: 'anchor', offset: anchor.lastCheckpointOffset, message: `offset ${head} does not hold the anchored checkpoint: the topic was rewritten` });
  }
}

/** Reads the facts {@link verifyAuditTopic} judges: bounds, configs and every record. */
export async function inspectAuditTopic(kafka: Kafka, topic: string): Promise<AuditTopicFacts> {
  const admin = kafka.admin();
  await admin.connect();
  let bounds;
  let configs: Record<string, string | undefined>;
  try {
    bounds = await topicBounds(admin, topic);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'retention.bytes', 'cleanup.policy'] }],
    });
    configs = Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
  } finally {
    await admin.disconnect();
  }
  const records = await readAuditRecords(kafka, topic);
  const b = bounds[0];
  return { topic, low: b?.low ?? 0n, high: b?.high ?? 0n, partitions: bounds.length, configs, records };
}
