/**
 * Encodings the schedule manager needs: journal snapshots (protobuf fields as base64 so a JSON
 * journal can hold them), search attribute payloads as the SDK writes them, conflict tokens.
 */
import { temporal } from '@temporalio/proto';
import type { SearchAttributeType, SearchAttributeValue } from '../visibility-query';
import type { ScheduleJournalRecord, ScheduleSnapshot } from './types';

const { Schedule } = temporal.api.schedule.v1;
const { Memo, SearchAttributes } = temporal.api.common.v1;

function b64<T>(type: { fromObject(o: Record<string, unknown>): T; encode(m: T): { finish(): Uint8Array } }, value: object): string {
  return Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish()).toString('base64');
}

/** The journal record for a schedule's current state. */
export function snapshotRecord(s: ScheduleSnapshot): Extract<ScheduleJournalRecord, { type: 'schedule.put' }> {
  const body = {
    ...s,
    schedule: b64(Schedule, s.schedule),
    memo: s.memo ? b64(Memo, s.memo) : null,
    searchAttributes: s.searchAttributes ? b64(SearchAttributes, s.searchAttributes) : null,
  };
  return { type: 'schedule.put', snapshot: JSON.stringify(body) };
}

/** Inverse of {@link snapshotRecord}; throws on a record this version cannot read. */
export function readSnapshot(snapshot: string): ScheduleSnapshot {
  const body = JSON.parse(snapshot) as Omit<ScheduleSnapshot, 'schedule' | 'memo' | 'searchAttributes'> & {
    schedule: string;
    memo: string | null;
    searchAttributes: string | null;
  };
  return {
    ...body,
    schedule: Schedule.decode(Buffer.from(body.schedule, 'base64')),
    memo: body.memo ? Memo.decode(Buffer.from(body.memo, 'base64')) : null,
    searchAttributes: body.searchAttributes ? SearchAttributes.decode(Buffer.from(body.searchAttributes, 'base64')) : null,
  };
}

/** Recognises this module's records among whatever the journal hands back. */
export function isScheduleRecord(record: unknown): record is ScheduleJournalRecord {
  if (typeof record !== 'object' || record === null) return false;
  const r = record as { type?: unknown; snapshot?: unknown; namespace?: unknown; scheduleId?: unknown };
  if (r.type === 'schedule.put') return typeof r.snapshot === 'string';
  if (r.type === 'schedule.delete') return typeof r.namespace === 'string' && typeof r.scheduleId === 'string';
  return false;
}

/** Conflict tokens are the update counter, 8 bytes big-endian, as the real server makes them. */
export function encodeConflictToken(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/** A search attribute payload as `@temporalio/common` encodes typed attributes. */
export function searchAttributePayload(value: unknown, type: SearchAttributeType): temporal.api.common.v1.IPayload {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) },
    data: Buffer.from(JSON.stringify(value)),
  };
}

const TYPES = new Set<SearchAttributeType>(['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);

/** Declared type of a search attribute payload, if the sender named one. */
export function payloadType(p: temporal.api.common.v1.IPayload): SearchAttributeType | undefined {
  const raw = p.metadata?.type;
  const t = raw ? Buffer.from(raw).toString('utf8') : '';
  return TYPES.has(t as SearchAttributeType) ? (t as SearchAttributeType) : undefined;
}

/** Decoded value of a `json/plain` search attribute payload; undefined when not decodable. */
export function payloadValue(p: temporal.api.common.v1.IPayload): SearchAttributeValue | undefined {
  try {
    const v = JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as unknown;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return undefined;
  } catch {
    return undefined;
  }
}
