import type { FetchRequest, FetchResponse } from '../protocol/fetch/v4';

/**
 * Request-log lines as a broker's `kafka.request.logger` writes them at DEBUG, for the fetches the
 * sandbox serves: the KIP-673 JSON form (Kafka 2.8+) or the older text form (`RequestHeader(…) --
 * {Struct},response:{Struct} from connection …`), with the Fetch v4 field names each form uses.
 * Records appear only as their size, as on a real broker.
 */

/** What the line needs besides the request and response. */
export interface FetchLineContext {
  /** Epoch ms the request completed. */
  time: number;
  apiVersion: number;
  clientId: string;
  correlationId: number;
  /** `<broker host:port>-<client host:port>-<n>`. */
  connection: string;
  principal: string;
  listener: string;
  securityProtocol: string;
  totalTimeMs: number;
}

/** Bytes served per `topic\0partition`. */
export type ServedBytes = ReadonlyMap<string, number>;

/** log4j's default `[%d]` in UTC. */
export function log4jTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `[${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}]`;
}

const bytesOf = (served: ServedBytes, topic: string, partition: number): number => served.get(`${topic}\u0000${partition}`) ?? 0;

/** The KIP-673 JSON line around a request's header, request and response documents. */
export function completedJsonLine(ctx: FetchLineContext, apiKey: number, apiKeyName: string, request: object, response: object | null): string {
  const doc = {
    isForwarded: false,
    requestHeader: { requestApiKey: apiKey, requestApiVersion: ctx.apiVersion, correlationId: ctx.correlationId, clientId: ctx.clientId, requestApiKeyName: apiKeyName },
    request,
    response,
    connection: ctx.connection,
    totalTimeMs: ctx.totalTimeMs,
    requestQueueTimeMs: 0,
    localTimeMs: ctx.totalTimeMs,
    remoteTimeMs: 0,
    throttleTimeMs: 0,
    responseQueueTimeMs: 0,
    sendTimeMs: 0,
    securityProtocol: ctx.securityProtocol,
    principal: ctx.principal,
    listener: ctx.listener,
    clientInformation: { softwareName: 'unknown', softwareVersion: 'unknown' },
  };
  return `${log4jTime(ctx.time)} DEBUG Completed request:${JSON.stringify(doc)} (kafka.request.logger)`;
}

/** The older text line around a request's and a response's Struct text. */
export function completedTextLine(ctx: FetchLineContext, apiKeyName: string, request: string, response: string): string {
  const t = ctx.totalTimeMs.toFixed(3);
  return (
    `${log4jTime(ctx.time)} DEBUG Completed request:RequestHeader(apiKey=${apiKeyName}, apiVersion=${ctx.apiVersion}, clientId=${ctx.clientId}, correlationId=${ctx.correlationId}) -- ${request},response:${response}` +
    ` from connection ${ctx.connection};totalTime:${t},requestQueueTime:0.000,localTime:${t},remoteTime:0.000,throttleTime:0,responseQueueTime:0.000,sendTime:0.000,` +
    `securityProtocol:${ctx.securityProtocol},principal:${ctx.principal},listener:${ctx.listener},clientInformation:ClientInformation(softwareName=unknown, softwareVersion=unknown) (kafka.request.logger)`
  );
}

/** The KIP-673 JSON line. */
export function jsonLine(ctx: FetchLineContext, req: FetchRequest, res: FetchResponse, served: ServedBytes): string {
  const request = {
    replicaId: req.replicaId,
    maxWaitMs: req.maxWaitMs,
    minBytes: req.minBytes,
    maxBytes: req.maxBytes,
    isolationLevel: req.isolationLevel,
    topics: req.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, fetchOffset: Number(p.fetchOffset), partitionMaxBytes: p.partitionMaxBytes })) })),
  };
  const response = {
      throttleTimeMs: 0,
      responses: res.topics.map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          errorCode: p.errorCode,
          highWatermark: Number(p.highWatermark),
          lastStableOffset: Number(p.lastStableOffset),
          abortedTransactions: null,
          recordsSizeInBytes: bytesOf(served, t.name, p.partition),
        })),
      })),
    };
  return completedJsonLine(ctx, 1, 'FETCH', request, response);
}

/** The older text line (Struct toString, Fetch v4 snake_case names). */
export function textLine(ctx: FetchLineContext, req: FetchRequest, res: FetchResponse, served: ServedBytes): string {
  const request =
    `{replica_id=${req.replicaId},max_wait_time=${req.maxWaitMs},min_bytes=${req.minBytes},max_bytes=${req.maxBytes},isolation_level=${req.isolationLevel},topics=[` +
    req.topics.map((t) => `{topic=${t.name},partitions=[${t.partitions.map((p) => `{partition=${p.partition},fetch_offset=${p.fetchOffset},max_bytes=${p.partitionMaxBytes}}`).join(',')}]}`).join(',') +
    ']}';
  const response =
    '{throttle_time_ms=0,responses=[' +
    res.topics
      .map(
        (t) =>
          `{topic=${t.name},partition_responses=[` +
          t.partitions
            .map((p) => `{partition_header={partition=${p.partition},error_code=${p.errorCode},high_watermark=${p.highWatermark},last_stable_offset=${p.lastStableOffset},aborted_transactions=null},record_set=MemoryRecords(size=${bytesOf(served, t.name, p.partition)}, buffer=java.nio.HeapByteBuffer[pos=0 lim=${bytesOf(served, t.name, p.partition)} cap=${bytesOf(served, t.name, p.partition)}])}`)
            .join(',') +
          ']}',
      )
      .join(',') +
    ']}';
  return completedTextLine(ctx, 'FETCH', request, response);
}
