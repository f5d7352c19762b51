import type { Kafka, KafkaMessage } from 'kafkajs';
import { isCheckpointRecord } from '../domain/audit-checkpoint';
import type { ChainVerification } from '../domain/audit-chain';
import { verifyChain } from '../domain/audit-chain';
import type { DomainEvent } from '../domain/events';
import { foldEvents, timeline, type IncidentState, type TimelineEntry } from '../domain/incident';
import { readSlice, topicBounds } from './topic-reader';

/**
 * Reading the audit topic back: every record in topic order, the hash-chain verdict, and the
 * incident state and timeline rebuilt from the topic alone (design §3: the timeline is a
 * projection of the audit topic).
 */

/** One record of the audit topic as stored. */
export interface AuditRecord {
  partition: number;
  offset: string;
  key: string | null;
  /** The parsed JSON value, or the raw text when it is not JSON (verify reports it as malformed). */
  value: unknown;
}

/** Decodes a record value: JSON when it parses, else the raw text. */
export function decodeAuditValue(message: Pick<KafkaMessage, 'value'>): unknown {
  const text = message.value?.toString('utf8') ?? null;
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The incident a record belongs to, by its value or (for unreadable values) its key. */
export function recordIncident(record: Pick<AuditRecord, 'key' | 'value'>): string | null {
  const v = record.value;
  if (typeof v === 'object' && v !== null && typeof (v as { incidentId?: unknown }).incidentId === 'string') {
    return (v as { incidentId: string }).incidentId;
  }
  return record.key;
}

/** Options of {@link readAuditRecords}. */
export interface ReadAuditOptions {
  /** Only this incident's records (matched by value, or key when the value is unreadable). */
  incidentId?: string;
}

/**
 * Reads every record of the audit topic up to its current end, partition by partition (the
 * breachline audit topic has one partition, so this is topic order).
 */
export async function readAuditRecords(kafka: Kafka, topic: string, options: ReadAuditOptions = {}): Promise<AuditRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let bounds;
  try {
    bounds = await topicBounds(admin, topic);
  } finally {
    await admin.disconnect();
  }
  const records: AuditRecord[] = [];
  for (const b of bounds) {
    await readSlice(kafka, {
      topic,
      partition: b.partition,
      partitions: bounds.length,
      from: b.low,
      toExclusive: b.high,
      groupPrefix: 'breachline-audit-reader',
      onMessages: async (messages) => {
        for (const m of messages) {
          const record: AuditRecord = { partition: b.partition, offset: m.offset, key: m.key?.toString('utf8') ?? null, value: decodeAuditValue(m) };
          if (options.incidentId === undefined || recordIncident(record) === options.incidentId) records.push(record);
        }
      },
    });
  }
  return records;
}

/** The verdict of {@link verifyAuditRecords}, with the topic offset of the first break. */
export type AuditVerification = ChainVerification & { offset?: string };

/** Verifies the hash chains of the records (per incident); a failure names the record's offset. */
export function verifyAuditRecords(records: readonly AuditRecord[]): AuditVerification {
  const events = records.filter((r) => !isCheckpointRecord(r.value));
  const verdict = verifyChain(events.map((r) => r.value));
  if (verdict.ok) return verdict;
  const offset = events[verdict.index]?.offset;
  return offset === undefined ? verdict : { ...verdict, offset };
}

/** An incident rebuilt from the audit topic. */
export interface IncidentProjection {
  incidentId: string;
  events: DomainEvent[];
  state: IncidentState;
  timeline: TimelineEntry[];
}

/** Thrown when a projection is asked of records whose chain does not verify. */
export class AuditChainBrokenError extends Error {
  constructor(readonly verification: Extract<ChainVerification, { ok: false }>) {
    super(`audit chain broken: ${verification.message}`);
    this.name = 'AuditChainBrokenError';
  }
}

/**
 * Rebuilds one incident's state and timeline from its audit records. Refuses (with
 * {@link AuditChainBrokenError}) when the chain does not verify: a projection of tampered
 * records would be a forgery with our name on it.
 */
export function projectIncident(records: readonly AuditRecord[], incidentId: string): IncidentProjection | undefined {
  const mine = records.filter((r) => recordIncident(r) === incidentId && !isCheckpointRecord(r.value));
  if (mine.length === 0) return undefined;
  const verdict = verifyChain(mine.map((r) => r.value));
  if (!verdict.ok) throw new AuditChainBrokenError(verdict);
  const events = mine.map((r) => stripSeal(r.value as DomainEvent));
  return { incidentId, events, state: foldEvents(events), timeline: timeline(events) };
}

function stripSeal(event: DomainEvent): DomainEvent {
  const { prevHash: _p, hash: _h, ...rest } = event as DomainEvent & { prevHash?: string; hash?: string };
  return rest as DomainEvent;
}

/**
 * One incident's domain events from the audit topic, in seq order, seal stripped: what the
 * report activity reads instead of receiving the whole event log as input. Checkpoints are not
 * events and are left out. Throws {@link AuditChainBrokenError} when the incident's chain does not
 * verify, and returns `[]` for an incident with no records.
 */
export async function readIncidentEvents(kafka: Kafka, topic: string, incidentId: string): Promise<DomainEvent[]> {
  const records = await readAuditRecords(kafka, topic, { incidentId });
  return projectIncident(records, incidentId)?.events ?? [];
}

/**
 * Each incident's events in topic order, seals stripped; incidents in order of their first record.
 * What the breach register is built from (`breachline register export`, the console's register).
 */
export function auditEventsByIncident(records: readonly AuditRecord[]): DomainEvent[][] {
  const byId = new Map<string, DomainEvent[]>();
  for (const record of records) {
    const id = recordIncident(record);
    if (id === null || typeof record.value !== 'object' || record.value === null) continue;
    const list = byId.get(id) ?? [];
    list.push(stripSeal(record.value as DomainEvent));
    byId.set(id, list);
  }
  return [...byId.values()];
}
