import { field, listField, parseStructText, textField, type StructValue } from './struct-text';

/**
 * Lines of the broker's request log (`kafka.request.logger` at DEBUG), as far as forensics reads
 * them: completed FETCH requests from consumers (follower fetches carry a replica id ≥ 0 and are
 * skipped). Two formats exist:
 *
 * - KIP-673 JSON (Kafka 2.8 and later): `Completed request:{"isForwarded":false,"requestHeader":
 *   {"requestApiKey":1,…,"requestApiKeyName":"FETCH"},"request":{…},"response":{…},"connection":
 *   "<broker>-<client>-<n>","totalTimeMs":…,"principal":"User:…","listener":…}` where the request
 *   and response are the generated JSON of the messages (records only as `recordsSizeInBytes`),
 *   and topics are named by `topic` (Fetch ≤ v12) or `topicId` (v13+);
 * - the older text form: `Completed request:RequestHeader(apiKey=FETCH, apiVersion=…, clientId=…,
 *   correlationId=…) -- {…},response:{…} from connection <id>;totalTime:…,principal:User:…,
 *   listener:…`, the request and response printed by `toString` in snake_case or camelCase
 *   depending on the version.
 *
 * Each line usually starts with log4j's `[yyyy-MM-dd HH:mm:ss,SSS] DEBUG ` (broker local time).
 */

/** One partition of a logged fetch. */
export interface LoggedFetchPartition {
  /** Topic name, or absent when the line names the topic by id only (Fetch v13+). */
  topic?: string;
  topicId?: string;
  partition: number;
  /** The offset the consumer asked from; absent for a partition only in the response (incremental fetch sessions). */
  fetchOffset?: bigint;
  /** From the response, when the partition is in it. */
  highWatermark?: bigint;
  errorCode?: number;
  /** Bytes of records returned (`recordsSizeInBytes`, or the size of the printed record set). */
  recordsBytes?: number;
}

/** What every completed request in the request log says of itself, whatever its API. */
export interface LoggedRequest {
  format: 'json' | 'text';
  /** Epoch ms from the line's log4j prefix; absent when the line has none. */
  time?: number;
  apiVersion: number;
  clientId: string;
  correlationId: number;
  /** Broker-side connection id `<broker host:port>-<client host:port>-<n>`. */
  connection: string;
  /** The client's address (host part of the connection id). */
  clientAddress?: string;
  principal: string;
}

/** A completed consumer FETCH from the request log. */
export interface LoggedFetch extends LoggedRequest {
  partitions: LoggedFetchPartition[];
  /** False when the line carries no response (very old brokers): then bytes served are unknown. */
  hasResponse: boolean;
}

/** Options of {@link parseRequestLogLine}. */
export interface ParseOptions {
  /** The broker's log4j time zone as minutes east of UTC (log4j prints local time). @default 0 */
  utcOffsetMinutes?: number;
}

/** What every request-log line carries before the request. */
export const MARKER = 'Completed request:';
const LOG4J_TIME = /^\[(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})[,.](\d{3})\]/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))/;

/** The time of a line from its prefix, in epoch ms. */
export function lineTime(line: string, utcOffsetMinutes = 0): number | undefined {
  const m = LOG4J_TIME.exec(line);
  if (m !== null) {
    const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    return Date.UTC(y, mo - 1, d, h, mi, s, ms) - utcOffsetMinutes * 60_000;
  }
  const iso = ISO_TIME.exec(line);
  return iso !== null ? Date.parse(iso[1] as string) : undefined;
}

/** The client's address from a connection id (`127.0.0.1:9092-10.1.2.3:51234-0`). */
export function clientAddressOf(connection: string): string | undefined {
  const m = /^(.*?:\d+)-(.*?):(\d+)-\d+(?:-\d+)?$/.exec(connection);
  return m === null ? undefined : (m[2] as string).replace(/^\[|\]$/g, '');
}

/**
 * Parses one request-log line. Returns the consumer fetch it records, or undefined for any other
 * line (other APIs, follower fetches, lines that are not request-log lines, or lines cut short).
 */
export function parseRequestLogLine(line: string, options: ParseOptions = {}): LoggedFetch | undefined {
  const at = line.indexOf(MARKER);
  if (at < 0) return undefined;
  const body = line.slice(at + MARKER.length).trimStart();
  const time = lineTime(line, options.utcOffsetMinutes);
  const parsed = body.startsWith('{') ? parseJsonForm(body) : parseTextForm(body);
  if (parsed === undefined) return undefined;
  return time === undefined ? parsed : { ...parsed, time };
}

// ---------------------------------------------------------------------------------------------
// KIP-673 JSON

/** A parsed JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON field helper shared with the PRODUCE parser. */
export function obj(v: Json | undefined): Record<string, Json> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** JSON field helper shared with the PRODUCE parser. */
export function arr(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

/** JSON field helper shared with the PRODUCE parser. */
export function num(v: Json | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/** JSON field helper shared with the PRODUCE parser. */
export function big(v: Json | undefined): bigint | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : undefined;
}

/** JSON field helper shared with the PRODUCE parser. */
export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function parseJsonForm(body: string): Omit<LoggedFetch, 'time'> | undefined {
  const end = body.lastIndexOf('}');
  let doc: Record<string, Json> | undefined;
  try {
    doc = obj(JSON.parse(body.slice(0, end + 1)) as Json);
  } catch {
    // A line cut short (rotation mid-write, a shipper's size limit) is not a fetch we can use.
    return undefined;
  }
  if (doc === undefined) return undefined;
  const header = obj(doc.requestHeader);
  const apiName = str(header?.requestApiKeyName) ?? str(header?.apiKey);
  const apiKey = num(header?.requestApiKey);
  if (apiName !== 'FETCH' && !(apiName === undefined && apiKey === 1)) return undefined;
  const request = obj(doc.request);
  const replicaId = num(request?.replicaId) ?? num(obj(request?.replicaState)?.replicaId) ?? -1;
  if (replicaId >= 0) return undefined;
  const connection = str(doc.connection) ?? '';
  const principal = str(doc.principal);
  if (principal === undefined) return undefined;

  const partitions = new Map<string, LoggedFetchPartition>();
  const keyOf = (t: { topic?: string; topicId?: string }, p: number): string => `${t.topic ?? ''}\u0000${t.topicId ?? ''}\u0000${p}`;
  for (const t of arr(request?.topics)) {
    const to = obj(t);
    const topic = { ...(str(to?.topic) !== undefined ? { topic: str(to?.topic) as string } : {}), ...(str(to?.topicId) !== undefined ? { topicId: str(to?.topicId) as string } : {}) };
    for (const p of arr(to?.partitions)) {
      const po = obj(p);
      const partition = num(po?.partition);
      const fetchOffset = big(po?.fetchOffset);
      if (partition === undefined || fetchOffset === undefined) continue;
      partitions.set(keyOf(topic, partition), { ...topic, partition, fetchOffset });
    }
  }
  const response = obj(doc.response);
  for (const t of arr(response?.responses)) {
    const to = obj(t);
    const topic = { ...(str(to?.topic) !== undefined ? { topic: str(to?.topic) as string } : {}), ...(str(to?.topicId) !== undefined ? { topicId: str(to?.topicId) as string } : {}) };
    for (const p of arr(to?.partitions)) {
      const po = obj(p);
      const partition = num(po?.partitionIndex);
      if (partition === undefined) continue;
      const key = keyOf(topic, partition);
      const entry = partitions.get(key) ?? { ...topic, partition };
      const hw = big(po?.highWatermark);
      const errorCode = num(po?.errorCode);
      const bytes = num(po?.recordsSizeInBytes);
      partitions.set(key, { ...entry, ...(hw !== undefined ? { highWatermark: hw } : {}), ...(errorCode !== undefined ? { errorCode } : {}), ...(bytes !== undefined ? { recordsBytes: bytes } : {}) });
    }
  }
  const clientAddress = clientAddressOf(connection);
  return {
    format: 'json',
    apiVersion: num(header?.requestApiVersion) ?? num(header?.apiVersion) ?? -1,
    clientId: str(header?.clientId) ?? '',
    correlationId: num(header?.correlationId) ?? -1,
    connection,
    ...(clientAddress !== undefined ? { clientAddress } : {}),
    principal,
    partitions: [...partitions.values()],
    hasResponse: response !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The older text form

const HEADER = /^RequestHeader\(([^)]*)\)\s*--\s*/;
const RESPONSE_MARKERS = [',response:', ',response='];

function headerFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/,\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** `orders-3` → topic `orders`, partition 3 (the TopicPartition notation of hand-written requests). */
export function topicPartition(key: string): { topic: string; partition: number } | undefined {
  const dash = key.lastIndexOf('-');
  const partition = Number(key.slice(dash + 1));
  return dash > 0 && Number.isInteger(partition) ? { topic: key.slice(0, dash), partition } : undefined;
}

/** A decimal integer field of the text form. */
export function bigText(v: string | undefined): bigint | undefined {
  return v !== undefined && /^-?\d+$/.test(v) ? BigInt(v) : undefined;
}

/** Bytes of a printed record set: `FileRecords(size=123, …)`, `MemoryRecords(size=…)`, `[]`. */
function recordSetBytes(v: StructValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? 0 : undefined;
  if (typeof v !== 'string') {
    const size = textField(v, 'size', 'sizeInBytes');
    return size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined;
  }
  const m = /size(?:InBytes)?=(\d+)/.exec(v);
  if (m !== null) return Number(m[1]);
  return v === '' || v === 'null' || v === '[]' ? 0 : undefined;
}

function requestPartitions(request: StructValue): LoggedFetchPartition[] {
  const out: LoggedFetchPartition[] = [];
  // Struct / generated form: topics=[{topic=…,partitions=[{partition=…,fetch_offset=…}]}]
  for (const t of listField(request, 'topics')) {
    const topic = textField(t, 'topic', 'name');
    const topicId = textField(t, 'topicId', 'topic_id');
    for (const p of listField(t, 'partitions')) {
      const partition = Number(textField(p, 'partition', 'partitionIndex', 'partition_index'));
      const fetchOffset = bigText(textField(p, 'fetch_offset', 'fetchOffset'));
      if (!Number.isInteger(partition) || fetchOffset === undefined) continue;
      out.push({ ...(topic !== undefined ? { topic } : {}), ...(topicId !== undefined ? { topicId } : {}), partition, fetchOffset });
    }
  }
  // Hand-written form (2.x): fetchData={orders-0=(fetchOffset=5, logStartOffset=-1, …), …}
  const fetchData = field(request, 'fetchData');
  if (fetchData !== undefined && typeof fetchData === 'object' && !Array.isArray(fetchData)) {
    for (const [key, data] of Object.entries(fetchData)) {
      const tp = topicPartition(key);
      const fetchOffset = bigText(textField(data, 'fetchOffset', 'offset'));
      if (tp !== undefined && fetchOffset !== undefined) out.push({ ...tp, fetchOffset });
    }
  }
  return out;
}

function responsePartitions(response: StructValue): LoggedFetchPartition[] {
  const out: LoggedFetchPartition[] = [];
  for (const t of listField(response, 'responses')) {
    const topic = textField(t, 'topic', 'name');
    const topicId = textField(t, 'topicId', 'topic_id');
    for (const p of listField(t, 'partition_responses', 'partitions', 'partitionResponses')) {
      const header = field(p, 'partition_header', 'partitionHeader') ?? p;
      const partition = Number(textField(header, 'partition', 'partitionIndex', 'partition_index'));
      if (!Number.isInteger(partition)) continue;
      const hw = bigText(textField(header, 'high_watermark', 'highWatermark'));
      const errorCode = Number(textField(header, 'error_code', 'errorCode'));
      const bytes = recordSetBytes(field(p, 'record_set', 'records', 'recordSet'));
      out.push({
        ...(topic !== undefined ? { topic } : {}),
        ...(topicId !== undefined ? { topicId } : {}),
        partition,
        ...(hw !== undefined ? { highWatermark: hw } : {}),
        ...(Number.isInteger(errorCode) ? { errorCode } : {}),
        ...(bytes !== undefined ? { recordsBytes: bytes } : {}),
      });
    }
  }
  return out;
}

/** The parts of an older text-form line: header fields, request and response text, connection, principal. */
export interface TextEnvelope {
  header: Record<string, string>;
  requestText: string;
  /** Absent when the line has no `,response:` part. */
  responseText?: string;
  connection: string;
  principal: string;
}

/** Splits the body of a text-form line (after `Completed request:`); undefined when it is not one. */
export function textEnvelope(body: string): TextEnvelope | undefined {
  const h = HEADER.exec(body);
  if (h === null) return undefined;
  const header = headerFields(h[1] as string);
  const rest = body.slice(h[0].length);
  const fromAt = rest.lastIndexOf(' from connection ');
  if (fromAt < 0) return undefined;
  const trailer = rest.slice(fromAt + ' from connection '.length);
  const connection = trailer.slice(0, trailer.indexOf(';') < 0 ? undefined : trailer.indexOf(';')).trim();
  // The principal may hold commas (a TLS distinguished name): it runs up to `,listener:`.
  const pm = /[;,]principal:(.*?)(?:,listener:|,clientInformation:|$)/.exec(trailer);
  if (pm === null) return undefined;
  const principal = (pm[1] as string).trim();
  const exchange = rest.slice(0, fromAt);
  const marker = RESPONSE_MARKERS.map((m) => ({ m, at: exchange.lastIndexOf(m) })).find((x) => x.at >= 0);
  return {
    header,
    requestText: marker === undefined ? exchange : exchange.slice(0, marker.at),
    ...(marker !== undefined ? { responseText: exchange.slice(marker.at + marker.m.length) } : {}),
    connection,
    principal,
  };
}

function parseTextForm(body: string): Omit<LoggedFetch, 'time'> | undefined {
  const env = textEnvelope(body);
  if (env === undefined || env.header.apiKey !== 'FETCH') return undefined;
  const { header, connection, principal } = env;
  const request = parseStructText(env.requestText);
  const replica = Number(textField(request, 'replica_id', 'replicaId') ?? '-1');
  if (replica >= 0) return undefined;

  const partitions = new Map<string, LoggedFetchPartition>();
  const keyOf = (p: LoggedFetchPartition): string => `${p.topic ?? ''}\u0000${p.topicId ?? ''}\u0000${p.partition}`;
  for (const p of requestPartitions(request)) partitions.set(keyOf(p), p);
  if (env.responseText !== undefined) {
    const response = parseStructText(env.responseText);
    for (const p of responsePartitions(response)) partitions.set(keyOf(p), { ...(partitions.get(keyOf(p)) ?? {}), ...p });
  }
  const clientAddress = clientAddressOf(connection);
  return {
    format: 'text',
    apiVersion: Number(header.apiVersion ?? '-1'),
    clientId: header.clientId ?? '',
    correlationId: Number(header.correlationId ?? '-1'),
    connection,
    ...(clientAddress !== undefined ? { clientAddress } : {}),
    principal,
    partitions: [...partitions.values()],
    hasResponse: env.responseText !== undefined,
  };
}
