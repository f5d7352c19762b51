import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import * as fetchV4 from '../protocol/fetch/v4';
import * as listOffsetsV1 from '../protocol/list-offsets/v1';
import { AclOperation, ResourceType } from '../security';
import { defineHandler, type ApiHandler, type RequestContext } from './types';
import { completedRequest } from './completed-request';

/** Offset after the last record of a stored batch (baseOffset @0 + lastOffsetDelta @23 + 1). */
function endOffset(batch: Buffer): bigint {
  return batch.readBigInt64BE(0) + BigInt(batch.readInt32BE(23)) + 1n;
}

/** One pass over the requested partitions: what can be returned right now. */
function collect(ctx: RequestContext, req: fetchV4.FetchRequest, allowed: ReadonlyMap<string, boolean>): { res: fetchV4.FetchResponse; bytes: number; error: boolean } {
  const { broker } = ctx;
  let used = 0;
  let error = false;
  const res: fetchV4.FetchResponse = {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): fetchV4.FetchPartitionResult => {
        const out: fetchV4.FetchPartitionResult = { partition: p.partition, errorCode: 0, highWatermark: -1n, lastStableOffset: -1n, batches: [] };
        if (!allowed.get(t.name)) {
          out.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          error = true;
          return out;
        }
        const log = broker.topics.get(t.name)?.partitions[p.partition];
        if (!log) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          error = true;
          return out;
        }
        out.highWatermark = out.lastStableOffset = BigInt(log.logEndOffset);
        const offset = Number(p.fetchOffset);
        if (offset < log.logStartOffset || offset > log.logEndOffset) {
          out.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
          error = true;
          return out;
        }
        const room = req.maxBytes - used;
        const batches = log.read(offset, Math.min(p.partitionMaxBytes, room));
        // Only the very first batch of the whole response may exceed max_bytes (KIP-74).
        const first = batches[0];
        if (first && used > 0 && first.length > room) return out;
        out.batches = batches;
        for (const b of batches) used += b.length;
        return out;
      }),
    })),
  };
  return { res, bytes: used, error };
}

const fetch = defineHandler<fetchV4.FetchRequest>({
  decode: (r) => fetchV4.decode(r),
  async handle(ctx, req) {
    const { broker, session } = ctx;
    ctx.quiet = broker.onlyAccessLog(req.topics.map((t) => t.name));
    const allowed = new Map(req.topics.map((t) => [t.name, ctx.authorize(AclOperation.READ, ResourceType.TOPIC, t.name)]));
    const started = Date.now();
    const deadline = started + Math.max(0, req.maxWaitMs);
    const partitions = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    let pass = collect(ctx, req, allowed);
    // Long poll: hold the request until min_bytes are available or max_wait passes.
    while (!pass.error && pass.bytes < Math.max(1, req.minBytes) && Date.now() < deadline) {
      await broker.waitForData(partitions, deadline - Date.now());
      // READ may have been revoked while the request was parked: decide again before answering,
      // or records produced after the revocation would still reach the principal.
      for (const [topic, wasAllowed] of allowed) {
        if (!wasAllowed || broker.authorize(session, ctx.clientId, 'Fetch', AclOperation.READ, ResourceType.TOPIC, topic, false)) continue;
        // The silent check keeps a busy long-poll from flooding the access log; the refusal is recorded.
        allowed.set(topic, ctx.authorize(AclOperation.READ, ResourceType.TOPIC, topic));
      }
      pass = collect(ctx, req, allowed);
    }
    const served = new Map<string, number>();
    for (const t of pass.res.topics) {
      const asked = req.topics.find((x) => x.name === t.name);
      for (const p of t.partitions) {
        const last = p.batches[p.batches.length - 1];
        const from = asked?.partitions.find((x) => x.partition === p.partition)?.fetchOffset;
        if (!last || from === undefined) continue;
        const to = endOffset(last);
        const bytes = p.batches.reduce((n, b) => n + b.length, 0);
        served.set(`${t.name}\u0000${p.partition}`, bytes);
        broker.recordFetch(session, ctx.clientId, t.name, p.partition, from, to, Number(to - from), bytes);
      }
    }
    const res = pass.res;
    broker.forensicEmitter?.onFetch({
      ...completedRequest(ctx, started),
      clientAddress: session.host,
      req,
      res,
      served,
      allowed: [...allowed].filter(([, ok]) => ok).map(([topic]) => topic),
    });
    return (w) => fetchV4.encode(w, res);
  },
  fail: (_ctx, req, code) => (w) =>
    fetchV4.encode(w, {
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: code, highWatermark: -1n, lastStableOffset: -1n, batches: [] })),
      })),
    }),
});

const LATEST = -1n;
const EARLIEST = -2n;

const listOffsets = defineHandler<listOffsetsV1.ListOffsetsRequest>({
  decode: (r) => listOffsetsV1.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    const res: listOffsetsV1.ListOffsetsResponse = {
      topics: req.topics.map((t) => {
        const allowed = ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name);
        return {
          name: t.name,
          partitions: t.partitions.map((p): listOffsetsV1.ListOffsetsPartitionResult => {
            const out = { partition: p.partition, errorCode: 0, timestamp: -1n, offset: -1n };
            if (!allowed) return { ...out, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
            const log = broker.topics.get(t.name)?.partitions[p.partition];
            if (!log) return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            if (p.timestamp === LATEST) return { ...out, offset: BigInt(log.logEndOffset) };
            if (p.timestamp === EARLIEST) return { ...out, offset: BigInt(log.logStartOffset) };
            const hit = log.offsetForTimestamp(Number(p.timestamp));
            return hit ? { ...out, timestamp: BigInt(hit.timestamp), offset: BigInt(hit.offset) } : out;
          }),
        };
      }),
    };
    return (w) => listOffsetsV1.encode(w, res);
  },
  fail: (_ctx, req, code) => (w) =>
    listOffsetsV1.encode(w, {
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: code, timestamp: -1n, offset: -1n })) })),
    }),
});

/** Fetch and ListOffsets. */
export const FETCH_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
];
