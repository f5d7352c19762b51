import type { Admin } from 'kafkajs';
import { establishWindow, windowEdges, type FetchAccessRecord, type ForensicInput, type ForensicWindow } from '../src/domain/forensic-window';
import { DEFAULT_SOURCES, type SourceSpec } from '../src/forensics/sources';
import { produceClaims, readLoggedProduces } from '../src/forensics/sources/request-log/produce-source';
import { checkProducerIds, locateClaims, spansToCheck, writeAccessRecords, type UnlocatedWrite } from '../src/forensics/write-window';
import type { KafkaConnection } from '../src/kafka/client';
import type { DirectFetchReader } from '../src/kafka/direct-fetch';
import { readPrincipalProduces } from '../src/kafka/produce-records';
import type { ReadRecord } from '../src/kafka/record-sample';
import type { Logger } from '../src/log/logger';

/**
 * `forensics` with `access: write` (src/forensics/write-window.ts): the ranges the principal's
 * Produce requests took, from the cluster's configured sources, checked against the record
 * batches, then the same window arithmetic as reads, without commits.
 *
 * - `sandbox-access-log` (drills): each access record gives the range and the producer id; the
 *   records of the range are read (plain Fetch of exactly those ranges) and must all carry it.
 * - `request-log` (real clusters): each PRODUCE line gives the base offset per partition; the
 *   header of the batch there gives the range and the producer id, which must be the one the
 *   principal's batches carry. acks=0 produces have no offsets in the log: reported as unlocated.
 * - the other sources (commits, audit events) say nothing about writes.
 */

/** What the write window needs from the investigation. */
export interface WriteWindowContext {
  kafka: KafkaConnection;
  admin: Admin;
  reader: DirectFetchReader;
  logger: Logger;
  /** `User:<name>`. */
  principal: string;
  /** @default {@link DEFAULT_SOURCES} */
  sources?: readonly SourceSpec[];
  /** Topic of the sandbox access log when the spec names none. */
  accessLogTopic?: string;
  /** False: the runbook forbids access records; the window is empty. */
  useAccessRecords: boolean;
  /** Epoch ms: the suspected start; nothing earlier is read. */
  since?: number;
  /** Epoch ms: containment (or now); request-log lines after it do not count. */
  until: number;
}

/** The window of the principal's writes to `topic`, and the writes that could not be placed. */
export interface WriteWindow {
  window: ForensicWindow;
  unlocated: UnlocatedWrite[];
}

/** The write window of one topic; see the module comment. */
export async function writeWindow(ctx: WriteWindowContext, topic: string): Promise<WriteWindow> {
  const partitions = await ctx.reader.logBounds(topic);
  const logEnd = new Map(partitions.map((p) => [p.partition, BigInt(p.highWatermark)]));
  const records: FetchAccessRecord[] = [];
  const unlocated: UnlocatedWrite[] = [];
  if (ctx.useAccessRecords) {
    for (const spec of ctx.sources ?? DEFAULT_SOURCES) {
      if (spec.kind === 'sandbox-access-log') records.push(...(await fromAccessLog(ctx, topic, spec.topic ?? ctx.accessLogTopic, logEnd)));
      else if (spec.kind === 'request-log') {
        const logged = await fromRequestLog(ctx, topic, spec.location, logEnd);
        records.push(...logged.records);
        unlocated.push(...logged.unlocated);
      }
    }
  }
  const input: ForensicInput = { topic, partitions, committed: [], accessRecords: records };
  const sample = await ctx.reader.timestampsAt(topic, windowEdges(input));
  return { window: establishWindow({ ...input, averageRecordBytes: sample.averageRecordBytes }, sample.timestamps), unlocated };
}

/** The sandbox access log's produce records, each range's records read to check the producer id. */
async function fromAccessLog(ctx: WriteWindowContext, topic: string, accessLogTopic: string | undefined, logEnd: ReadonlyMap<number, bigint>): Promise<FetchAccessRecord[]> {
  const observed = await readPrincipalProduces(ctx.kafka, ctx.admin, {
    principal: ctx.principal,
    topics: [topic],
    logger: ctx.logger,
    ...(accessLogTopic !== undefined ? { accessLogTopic } : {}),
    ...(ctx.since !== undefined && ctx.since > 0 ? { since: ctx.since } : {}),
  });
  const read = new Map<number, ReadRecord[]>();
  await ctx.reader.readRanges(topic, spansToCheck(observed.produces, logEnd), (partition, records) => {
    const list = read.get(partition) ?? [];
    for (const r of records) list.push({ offset: r.offset, timestamp: r.timestamp, key: null, value: null, ...(r.producerId !== undefined ? { producerId: r.producerId } : {}) });
    read.set(partition, list);
  });
  const check = checkProducerIds(observed.produces, read);
  ctx.logger.info({ topic, source: 'sandbox-access-log', produces: observed.produces.length, confirmed: check.confirmed.size, accessRecordsRead: observed.scanned }, 'produced records located');
  return writeAccessRecords(observed.produces, check, 'sandbox-access-log');
}

/** The request log's PRODUCE lines, each placed by the header of the batch at its base offset. */
async function fromRequestLog(
  ctx: WriteWindowContext,
  topic: string,
  location: Extract<SourceSpec, { kind: 'request-log' }>['location'],
  logEnd: ReadonlyMap<number, bigint>,
): Promise<{ records: FetchAccessRecord[]; unlocated: UnlocatedWrite[] }> {
  const query = { principal: ctx.principal, topics: [topic], since: ctx.since ?? 0, until: ctx.until };
  const read = await readLoggedProduces(location, ctx, query);
  let logged = { ...produceClaims(read.produces, query), lines: read.lines };
  if (logged.unlocated.some((u) => u.reason === 'unknown-topic-id')) {
    // Produce v13+ names topics by id: ask the cluster's metadata once and place the parsed lines with the names.
    const names = await ctx.reader.topicIds();
    if (names !== undefined) logged = { ...produceClaims(read.produces, { ...query, topicNames: names }), lines: read.lines };
  }
  const batches = await ctx.reader.batchesAt(topic, logged.claims.map((c) => ({ partition: c.partition, offset: c.baseOffset })));
  const located = locateClaims(logged.claims, batches, logEnd);
  ctx.logger.info(
    {
      topic,
      source: 'request-log',
      lines: logged.lines,
      produces: logged.claims.length,
      refused: logged.refused,
      bounded: located.bounded.length,
      unlocated: logged.unlocated.length,
      producerId: located.producerId,
      // Client ids only: client addresses may be personal data and stay out of logs.
      clientIds: [...new Set(logged.claims.map((c) => c.clientId))].sort(),
    },
    'produced records located',
  );
  if (located.bounded.length > 0) ctx.logger.warn({ topic, bounded: located.bounded }, 'logged produces the batches do not confirm: kept, labelled bounded');
  if (logged.unlocated.length > 0) ctx.logger.warn({ topic, unlocated: logged.unlocated }, 'logged produces without offsets (acks=0 or unknown topic ids): reported, not placed');
  return { records: located.records, unlocated: logged.unlocated };
}
