import { ApiKey } from '../protocol/api-keys';
import { BrokerError, ErrorCode } from '../protocol/errors';
import * as v3 from '../protocol/produce/v3';
import { splitBatches } from '../log/record-batch';
import { AclOperation, ResourceType } from '../security';
import { defineHandler, type ApiHandler } from './types';

const NO_OFFSET = -1n;

function failAll(req: v3.ProduceRequest, code: number): v3.ProduceResponse {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: code, baseOffset: NO_OFFSET, logAppendTime: NO_OFFSET })),
    })),
  };
}

const produce = defineHandler<v3.ProduceRequest>({
  decode: (r) => v3.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) {
      const res = failAll(req, ErrorCode.INVALID_REQUIRED_ACKS);
      return (w) => v3.encode(w, res);
    }
    const res: v3.ProduceResponse = { topics: [] };
    for (const t of req.topics) {
      const allowed = ctx.authorize(AclOperation.WRITE, ResourceType.TOPIC, t.name);
      const topic = broker.topics.get(t.name);
      const maxBatch = topic ? Number(broker.topics.config(topic, 'max.message.bytes')) : 0;
      res.topics.push({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const result = { partition: p.partition, errorCode: 0, baseOffset: NO_OFFSET, logAppendTime: NO_OFFSET };
          try {
            if (!allowed) throw new BrokerError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            const log = broker.topics.partition(t.name, p.partition);
            if (!p.records) throw new BrokerError(ErrorCode.CORRUPT_MESSAGE, 'null record set');
            const batches = splitBatches(p.records);
            if (batches.some((b) => b.data.length > maxBatch)) throw new BrokerError(ErrorCode.MESSAGE_TOO_LARGE);
            result.baseOffset = BigInt(log.append(batches));
          } catch (err) {
            if (!(err instanceof BrokerError)) throw err;
            result.errorCode = err.code;
            broker.logger.debug({ topic: t.name, partition: p.partition, code: err.code, reason: err.message }, 'produce rejected');
          }
          return result;
        }),
      });
    }
    // acks=0: the client expects no response at all.
    if (req.acks === 0) return null;
    return (w) => v3.encode(w, res);
  },
  fail: (_ctx, req, code) => {
    const res = failAll(req, code);
    return (w) => v3.encode(w, res);
  },
});

/** Produce. */
export const PRODUCE_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [[ApiKey.Produce, produce]];
