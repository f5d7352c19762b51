import { createHash } from 'node:crypto';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DistinctCounter, type DistinctCounterSnapshot, type HashFunction } from '../src/domain/distinct-count';
import type { DecimalString } from '../src/domain/events';
import type { PiiField } from '../src/domain/runbook';
import { CHUNK_EXACT_LIMIT, type ScanSpan } from '../src/domain/subject-scan';
import type { KafkaConnection } from '../src/kafka/client';
import { createKafka } from '../src/kafka/client';
import { DirectFetchReader, type DirectFetchStats } from '../src/kafka/direct-fetch';
import type { ReadRecord } from '../src/kafka/record-sample';
import type { Logger } from '../src/log/logger';
import { checkpoint } from './heartbeat';

/**
 * One chunk of the data-subject scan (design §7; the workflow plans the chunks with
 * `planSubjectScan` and merges the results with `mergeDistinct`). The chunk's spans are streamed
 * with plain Fetch requests; the distinct values of the data-subject key are counted (only 64-bit
 * hashes kept) and the PII categories present noted. Every second the position reached per
 * partition and the counter's snapshot are heartbeated; a retry resumes from that checkpoint and
 * does not read again what it covers. Returns a mergeable sketch: the exact set up to
 * {@link CHUNK_EXACT_LIMIT} hashes, the HyperLogLog registers above it.
 */

/** Dependencies of {@link createDataSubjectActivities}. */
export interface DataSubjectActivityDeps {
  /** READ on the scanned topics. */
  kafka: KafkaConnection;
  logger: Logger;
  /** Minimum spacing of checkpoints. @default 1000 */
  checkpointEveryMs?: number;
  /** Per-partition byte limit of a scan fetch. @default 1048576 */
  fetchBytes?: number;
  /** Receives the fetch requests and bytes of each run (benchmarks and tests). */
  onStats?: (stats: DirectFetchStats) => void;
}

/** Input of `countDataSubjectsInChunk`. */
export interface SubjectChunkInput {
  incidentId: string;
  stepId: string;
  /** Unique per chunk (`incident/step/subjects/topic#n`): a checkpoint of another chunk is ignored. */
  stepKey: string;
  topic: string;
  spans: ScanSpan[];
  fields: PiiField[];
  subjectKey: string;
  exactThreshold: number;
  precision: number;
}

/** What a chunk returns: no identifier, only hashes or registers. */
export interface SubjectChunkResult {
  sketch: DistinctCounterSnapshot;
  categories: string[];
  records: DecimalString;
}

/** Heartbeat details of a chunk scan. */
export interface SubjectChunkCheckpoint {
  stepKey: string;
  /** Per partition, the offset up to which its spans are read. */
  cursor: Record<number, DecimalString>;
  sketch: DistinctCounterSnapshot;
  categories: string[];
  records: DecimalString;
}

const sha256: HashFunction = (value) => createHash('sha256').update(value).digest();

/** The data-subject scan activity; see the module comment. */
export function createDataSubjectActivities(deps: DataSubjectActivityDeps): {
  countDataSubjectsInChunk(input: SubjectChunkInput): Promise<SubjectChunkResult>;
} {
  return {
    async countDataSubjectsInChunk(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, step: input.stepId, stepKey: input.stepKey });
      const admin = createKafka(deps.kafka, { clientId: 'breachline-subject-scan', logger }).admin();
      const reader = new DirectFetchReader(deps.kafka, admin, { clientId: 'breachline-subject-scan', logger, ...(deps.fetchBytes !== undefined ? { rangeBytes: deps.fetchBytes } : {}) });
      try {
        await admin.connect();
        return await scanChunk(input, reader, deps.checkpointEveryMs ?? 1_000);
      } catch (err) {
        const type = err !== null && typeof err === 'object' && 'type' in err && typeof err.type === 'string' ? err.type : undefined;
        const message = err instanceof Error ? err.message : String(err);
        logger.warn({ type, reason: message }, 'data-subject scan chunk failed');
        const fatal = type === 'TOPIC_AUTHORIZATION_FAILED' || type === 'UNKNOWN_TOPIC_OR_PARTITION';
        throw ApplicationFailure.create({ type: fatal ? 'ForensicsNotAuthorized' : 'SubjectScanFailed', message, nonRetryable: fatal });
      } finally {
        deps.onStats?.({ ...reader.stats });
        await reader.close();
        await admin.disconnect();
      }
    },
  };
}

/** The previous attempt's checkpoint, when it belongs to this chunk. */
function resumeFrom(stepKey: string): SubjectChunkCheckpoint | undefined {
  const details: unknown = asyncLocalStorage.getStore()?.info.heartbeatDetails;
  if (details === null || typeof details !== 'object') return undefined;
  const d = details as Partial<SubjectChunkCheckpoint>;
  if (d.stepKey !== stepKey || d.sketch === undefined || d.cursor === null || typeof d.cursor !== 'object') return undefined;
  return { stepKey, cursor: d.cursor, sketch: d.sketch, categories: Array.isArray(d.categories) ? d.categories : [], records: typeof d.records === 'string' ? d.records : '0' };
}

async function scanChunk(input: SubjectChunkInput, reader: DirectFetchReader, everyMs: number): Promise<SubjectChunkResult> {
  const resumed = resumeFrom(input.stepKey);
  const counter = resumed !== undefined
    ? DistinctCounter.fromSnapshot(resumed.sketch, sha256)
    : new DistinctCounter({ hash: sha256, exactThreshold: Math.min(input.exactThreshold, CHUNK_EXACT_LIMIT), precision: input.precision });
  const categories = new Set<string>(resumed?.categories ?? []);
  const cursor: Record<number, DecimalString> = { ...(resumed?.cursor ?? {}) };
  let records = BigInt(resumed?.records ?? '0');
  const extract = subjectExtractor(input.fields, input.subjectKey);

  const spans = input.spans.flatMap((s) => {
    const done = cursor[s.partition] !== undefined ? BigInt(cursor[s.partition] as string) : -1n;
    const from = BigInt(s.from) > done ? BigInt(s.from) : done;
    return BigInt(s.to) > from ? [{ partition: s.partition, from, to: BigInt(s.to) }] : [];
  });
  const save = (): SubjectChunkCheckpoint => {
    const state = { stepKey: input.stepKey, cursor: { ...cursor }, sketch: counter.snapshot(), categories: [...categories].sort(), records: records.toString() };
    checkpoint(state);
    return state;
  };
  let lastSaved = Date.now();
  await reader.readRanges(input.topic, spans, (partition, batch, next) => {
    for (const r of batch) extract(r, counter, categories);
    records += BigInt(batch.length);
    cursor[partition] = next.toString();
    if (Date.now() - lastSaved >= everyMs) {
      save();
      lastSaved = Date.now();
    }
  });
  const final = save();
  return { sketch: final.sketch, categories: final.categories, records: final.records };
}

/**
 * Reads one record: counts its data-subject key, notes which tagged PII fields it carries. Values
 * that are not JSON carry no tagged field and are skipped.
 */
export function subjectExtractor(fields: readonly PiiField[], subjectKey: string): (record: ReadRecord, counter: DistinctCounter, categories: Set<string>) => void {
  const paths = fields.map((f) => ({ path: f.path.split('.'), category: f.category }));
  const subjectPath = subjectKey.split('.');
  return (record, counter, categories) => {
    if (record.value === null) return;
    let doc: unknown;
    try {
      doc = JSON.parse(record.value.toString('utf8')) as unknown;
    } catch {
      return;
    }
    const subject = valueAt(doc, subjectPath);
    if (typeof subject === 'string' || typeof subject === 'number') counter.add(String(subject));
    for (const f of paths) {
      if (categories.has(f.category)) continue;
      const v = valueAt(doc, f.path);
      if (v !== undefined && v !== null && v !== '') categories.add(f.category);
    }
  };
}

function valueAt(doc: unknown, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
