import { arr, big, bigText, clientAddressOf, lineTime, MARKER, num, obj, str, textEnvelope, topicPartition, type Json, type LoggedRequest, type ParseOptions } from './parse';
import { listField, parseStructText, textField } from './struct-text';

/**
 * PRODUCE lines of the broker's request log (`kafka.request.logger` at DEBUG), the write side of
 * forensics. What a line can say, by form:
 *
 * - KIP-673 JSON (Kafka 2.8+): the request is the generated JSON of ProduceRequest (`acks`,
 *   `timeoutMs`, `topicData: [{name | topicId (v13+), partitionData: [{index, recordsSizeInBytes}]}]`
 *   — records only as their size, the JSON being taken when the request arrives); the response
 *   that of ProduceResponse (`responses: [{name | topicId, partitionResponses: [{index, errorCode,
 *   baseOffset, logAppendTimeMs, logStartOffset, …}]}]`). A request with `acks=0` gets no response:
 *   the line carries `"response":""` or `null`.
 * - the older text form: `RequestHeader(apiKey=PRODUCE, …) -- {acks=-1,timeout=30000,
 *   numPartitions=2},response:{responses=[{topic=orders,partition_responses=[{partition=0,
 *   error_code=0,base_offset=42,log_append_time=-1,log_start_offset=0}]}],throttle_time_ms=0}`;
 *   the request names its partitions only at TRACE (`partitionSizes=[orders-0=512,…]`), so with
 *   `acks=0` (empty response) a DEBUG line says nothing of where the records went.
 *
 * The base offset is where the batch of that request went; how many offsets it took and the
 * producer id it carries are in the batch itself (see src/forensics/write-window.ts).
 */

/** One partition of a logged produce. */
export interface LoggedProducePartition {
  /** Topic name, or absent when the line names the topic by id only (Produce v13+). */
  topic?: string;
  topicId?: string;
  partition: number;
  /** Size of the records sent (`recordsSizeInBytes`, TRACE `partitionSizes`). */
  recordsBytes?: number;
  /** From the response: where the batch was appended; -1 when it was not. */
  baseOffset?: bigint;
  errorCode?: number;
  /** Broker time of the append for LogAppendTime topics; -1 for CreateTime topics. */
  logAppendTimeMs?: number;
}

/** A completed PRODUCE from the request log. */
export interface LoggedProduce extends LoggedRequest {
  /** -1, 1 or 0; absent when the line does not say. */
  acks?: number;
  transactionalId?: string;
  partitions: LoggedProducePartition[];
  /** False for acks=0 (the broker sends no response, so the line has none): no offsets are known. */
  hasResponse: boolean;
  /** Partitions the request wrote to, when the line gives only their number (text form at DEBUG). */
  partitionCount?: number;
}

const tpKey = (t: { topic?: string; topicId?: string }, p: number): string => `${t.topic ?? ''}\u0000${t.topicId ?? ''}\u0000${p}`;

function topicOf(o: Record<string, Json> | undefined): { topic?: string; topicId?: string } {
  const name = str(o?.name) ?? str(o?.topic);
  const id = str(o?.topicId);
  return { ...(name !== undefined ? { topic: name } : {}), ...(id !== undefined ? { topicId: id } : {}) };
}

/**
 * Parses one request-log line. Returns the produce it records, or undefined for any other line
 * (other APIs, lines that are not request-log lines, lines cut short).
 */
export function parseProduceLine(line: string, options: ParseOptions = {}): LoggedProduce | undefined {
  const at = line.indexOf(MARKER);
  if (at < 0) return undefined;
  const body = line.slice(at + MARKER.length).trimStart();
  const parsed = body.startsWith('{') ? parseJsonProduce(body) : parseTextProduce(body);
  if (parsed === undefined) return undefined;
  const time = lineTime(line, options.utcOffsetMinutes);
  return time === undefined ? parsed : { ...parsed, time };
}

function parseJsonProduce(body: string): Omit<LoggedProduce, 'time'> | undefined {
  let doc: Record<string, Json> | undefined;
  try {
    doc = obj(JSON.parse(body.slice(0, body.lastIndexOf('}') + 1)) as Json);
  } catch {
    // A line cut short is not a produce we can use.
    return undefined;
  }
  const header = obj(doc?.requestHeader);
  const apiName = str(header?.requestApiKeyName);
  if (apiName !== 'PRODUCE' && !(apiName === undefined && num(header?.requestApiKey) === 0)) return undefined;
  const principal = str(doc?.principal);
  if (doc === undefined || principal === undefined) return undefined;
  const request = obj(doc.request);
  const partitions = new Map<string, LoggedProducePartition>();
  for (const t of arr(request?.topicData)) {
    const to = obj(t);
    const topic = topicOf(to);
    for (const p of arr(to?.partitionData)) {
      const po = obj(p);
      const partition = num(po?.index) ?? num(po?.partitionIndex);
      if (partition === undefined) continue;
      const bytes = num(po?.recordsSizeInBytes);
      partitions.set(tpKey(topic, partition), { ...topic, partition, ...(bytes !== undefined ? { recordsBytes: bytes } : {}) });
    }
  }
  // acks=0: `"response":""` (Kafka 2.8–3.x) or `null` (later): no object, no offsets.
  const response = obj(doc.response);
  for (const t of arr(response?.responses)) {
    const to = obj(t);
    const topic = topicOf(to);
    for (const p of arr(to?.partitionResponses)) {
      const po = obj(p);
      const partition = num(po?.index) ?? num(po?.partitionIndex);
      if (partition === undefined) continue;
      const key = tpKey(topic, partition);
      const baseOffset = big(po?.baseOffset);
      const errorCode = num(po?.errorCode);
      const appendTime = num(po?.logAppendTimeMs);
      partitions.set(key, {
        ...(partitions.get(key) ?? { ...topic, partition }),
        ...(baseOffset !== undefined ? { baseOffset } : {}),
        ...(errorCode !== undefined ? { errorCode } : {}),
        ...(appendTime !== undefined ? { logAppendTimeMs: appendTime } : {}),
      });
    }
  }
  const connection = str(doc.connection) ?? '';
  const clientAddress = clientAddressOf(connection);
  const acks = num(request?.acks);
  const transactionalId = str(request?.transactionalId);
  return {
    format: 'json',
    apiVersion: num(header?.requestApiVersion) ?? -1,
    clientId: str(header?.clientId) ?? '',
    correlationId: num(header?.correlationId) ?? -1,
    connection,
    ...(clientAddress !== undefined ? { clientAddress } : {}),
    principal,
    ...(acks !== undefined ? { acks } : {}),
    ...(transactionalId !== undefined ? { transactionalId } : {}),
    partitions: [...partitions.values()],
    hasResponse: response !== undefined,
  };
}

function parseTextProduce(body: string): Omit<LoggedProduce, 'time'> | undefined {
  const env = textEnvelope(body);
  if (env === undefined || env.header.apiKey !== 'PRODUCE') return undefined;
  const request = parseStructText(env.requestText);
  const partitions = new Map<string, LoggedProducePartition>();
  // TRACE only: partitionSizes=[orders-0=512,orders-1=300].
  for (const entry of listField(request, 'partitionSizes')) {
    if (typeof entry !== 'string') continue;
    const eq = entry.lastIndexOf('=');
    const tp = topicPartition(entry.slice(0, eq));
    const bytes = Number(entry.slice(eq + 1));
    if (eq > 0 && tp !== undefined) partitions.set(tpKey(tp, tp.partition), { ...tp, ...(Number.isInteger(bytes) ? { recordsBytes: bytes } : {}) });
  }
  // An acks=0 produce is answered by no response: the line's response part is empty.
  const responseText = env.responseText?.trim() ?? '';
  const response = responseText.startsWith('{') ? parseStructText(responseText) : undefined;
  for (const t of listField(response, 'responses')) {
    const topic = textField(t, 'topic', 'name');
    for (const p of listField(t, 'partition_responses', 'partitionResponses')) {
      const partition = Number(textField(p, 'partition', 'index'));
      if (topic === undefined || !Number.isInteger(partition)) continue;
      const key = tpKey({ topic }, partition);
      const baseOffset = bigText(textField(p, 'base_offset', 'baseOffset'));
      const errorCode = Number(textField(p, 'error_code', 'errorCode'));
      const appendTime = Number(textField(p, 'log_append_time', 'logAppendTimeMs'));
      partitions.set(key, {
        ...(partitions.get(key) ?? { topic, partition }),
        ...(baseOffset !== undefined ? { baseOffset } : {}),
        ...(Number.isInteger(errorCode) ? { errorCode } : {}),
        ...(Number.isInteger(appendTime) ? { logAppendTimeMs: appendTime } : {}),
      });
    }
  }
  const acks = Number(textField(request, 'acks'));
  const count = Number(textField(request, 'numPartitions'));
  const clientAddress = clientAddressOf(env.connection);
  return {
    format: 'text',
    apiVersion: Number(env.header.apiVersion ?? '-1'),
    clientId: env.header.clientId ?? '',
    correlationId: Number(env.header.correlationId ?? '-1'),
    connection: env.connection,
    ...(clientAddress !== undefined ? { clientAddress } : {}),
    principal: env.principal,
    ...(Number.isInteger(acks) ? { acks } : {}),
    partitions: [...partitions.values()],
    hasResponse: response !== undefined,
    ...(Number.isInteger(count) ? { partitionCount: count } : {}),
  };
}
