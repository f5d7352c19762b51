import type { KafkaWriter } from '../../../kafka/wire';
import { ApiKey } from '../protocol/api-keys';
import { BrokerError, ErrorCode } from '../protocol/errors';
import * as v3 from '../protocol/produce/v3';
import * as v5 from '../protocol/produce/v5';
import { splitBatches } from '../log/record-batch';
import { AclOperation, ResourceType } from '../security';
import { defineHandler, type ApiHandler } from './types';

const NO_OFFSET = -1n;

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

const produce = defineHandler<v3.ProduceRequest>({
  decode: (r) => v3.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) {
      return encoder(ctx.version, failAll(req, ErrorCode.INVALID_REQUIRED_ACKS));
    }
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
            if (batches.some((b) => b.data.length > maxBatch)) throw new BrokerError(ErrorCode.MESSAGE_TOO_LARGE);
            result.baseOffset = BigInt(log.append(batches));
            result.logStartOffset = BigInt(log.logStartOffset);
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
    return encoder(ctx.version, res);
  },
  fail: (ctx, req, code) => encoder(ctx.version, failAll(req, code)),
});

/** Produce. */
export const PRODUCE_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [[ApiKey.Produce, produce]];
