import type { KafkaWriter } from '../../../kafka/wire';
import { ApiKey } from '../protocol/api-keys';
import { BrokerError, ErrorCode } from '../protocol/errors';
import * as v3 from '../protocol/produce/v3';
import * as v5 from '../protocol/produce/v5';
import { splitBatches } from '../log/record-batch';
import { AclOperation, ResourceType } from '../security';
import { defineHandler, type ApiHandler, type RequestContext } from './types';
import { completedRequest } from './completed-request';

const NO_OFFSET = -1n;
/** Compression id of zstd in a batch's attributes (bits 0–2). */
const ZSTD = 4;

type Results = { topics: Array<{ name: string; partitions: v5.ProducePartitionResultV5[] }> };

function failAll(req: v3.ProduceRequest, code: number): Results {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: code, baseOffset: NO_OFFSET, logAppendTime: NO_OFFSET, logStartOffset: NO_OFFSET })),
    })),
  };
}

/** v3–v4 answer without the log start offset; v5–v7 with it. The requests are one layout. */
function encoder(version: number, res: Results): (w: KafkaWriter) => void {
  return version >= 5 ? (w) => v5.encode(w, res) : (w) => v3.encode(w, res);
}

/**
 * The access record of an append: one per partition per request (a producer sends one batch per
 * partition per request; its batches share one producer id and epoch, read from the v2 header:
 * producerId INT64 @43, producerEpoch INT16 @51).
 */
function recordAppend(ctx: RequestContext, topic: string, partition: number, base: bigint, batches: ReturnType<typeof splitBatches>): void {
  const first = batches[0];
  if (first === undefined) return;
  const records = batches.reduce((n, b) => n + b.lastOffsetDelta + 1, 0);
  const bytes = batches.reduce((n, b) => n + b.data.length, 0);
  ctx.broker.recordProduce(ctx.session, ctx.clientId, topic, partition, {
    from: base,
    to: base + BigInt(records),
    records,
    bytes,
    producerId: first.data.readBigInt64BE(43),
    producerEpoch: first.data.readInt16BE(51),
  });
}

/**
 * The request-log line of a completed produce, when the broker emits them (forensic-emit): every
 * request a real broker completes is logged, refused ones with their error codes; an acks=0
 * request without its (unsent) response. Returns `res`.
 */
function logProduce(ctx: RequestContext, req: v3.ProduceRequest, res: Results, started: number): Results {
  ctx.broker.forensicEmitter?.onProduce({
    ...completedRequest(ctx, started),
    req,
    res: req.acks === 0 ? null : res,
  });
  return res;
}

const produce = defineHandler<v3.ProduceRequest>({
  decode: (r) => v3.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) {
      return encoder(ctx.version, logProduce(ctx, req, failAll(req, ErrorCode.INVALID_REQUIRED_ACKS), Date.now()));
    }
    const started = Date.now();
    const res: Results = { topics: [] };
    for (const t of req.topics) {
      const allowed = ctx.authorize(AclOperation.WRITE, ResourceType.TOPIC, t.name);
      const topic = broker.topics.get(t.name);
      const maxBatch = topic ? Number(broker.topics.config(topic, 'max.message.bytes')) : 0;
      res.topics.push({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const result = { partition: p.partition, errorCode: 0, baseOffset: NO_OFFSET, logAppendTime: NO_OFFSET, logStartOffset: NO_OFFSET };
          try {
            if (!allowed) throw new BrokerError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            const log = broker.topics.partition(t.name, p.partition);
            if (!p.records) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'null record set');
            const batches = splitBatches(p.records);
            // Kafka takes zstd only from Produce v7 on (KIP-110): an older request cannot have meant it.
            if (ctx.version < 7 && batches.some((b) => (b.data.readInt16BE(21) & 0x07) === ZSTD)) throw new BrokerError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd needs Produce v7 or later');
            if (batches.some((b) => b.data.length > maxBatch)) throw new BrokerError(ErrorCode.MESSAGE_TOO_LARGE);
            result.baseOffset = BigInt(log.append(batches));
            result.logStartOffset = BigInt(log.logStartOffset);
            recordAppend(ctx, t.name, p.partition, result.baseOffset, batches);
          } catch (err) {
            if (!(err instanceof BrokerError)) throw err;
            result.errorCode = err.code;
            broker.logger.debug({ topic: t.name, partition: p.partition, code: err.code, reason: err.message }, 'produce rejected');
          }
          return result;
        }),
      });
    }
    logProduce(ctx, req, res, started);
    // acks=0: the client expects no response at all.
    if (req.acks === 0) return null;
    return encoder(ctx.version, res);
  },
  fail: (ctx, req, code) => encoder(ctx.version, logProduce(ctx, req, failAll(req, code), Date.now())),
});

/** Produce. */
export const PRODUCE_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [[ApiKey.Produce, produce]];
