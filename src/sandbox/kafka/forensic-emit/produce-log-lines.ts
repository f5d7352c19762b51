import type { ProduceRequest } from '../protocol/produce/v3';
import type { ProducePartitionResultV5 } from '../protocol/produce/v5';
import { completedJsonLine, completedTextLine, type FetchLineContext } from './request-log-lines';

/**
 * Request-log lines of the produces the sandbox accepts or refuses, as `kafka.request.logger`
 * writes them at DEBUG: the KIP-673 JSON form (the generated ProduceRequest JSON with records only
 * as `recordsSizeInBytes`, taken on arrival; the ProduceResponse JSON; `"response":null` for
 * acks=0) or the older text form (the hand-written request description, which at DEBUG gives only
 * `numPartitions`, then the response Struct in snake_case; an empty response for acks=0). Field
 * sets are those of the Produce versions the sandbox serves (v3–v7).
 */

/** The answer per topic, or null when acks=0 (no response is sent). */
export type ProduceAnswer = { topics: Array<{ name: string; partitions: ProducePartitionResultV5[] }> } | null;

/** The KIP-673 JSON line. */
export function jsonProduceLine(ctx: FetchLineContext, req: ProduceRequest, res: ProduceAnswer): string {
  const withStart = ctx.apiVersion >= 5;
  const request = {
    transactionalId: req.transactionalId,
    acks: req.acks,
    timeoutMs: req.timeoutMs,
    topicData: req.topics.map((t) => ({ name: t.name, partitionData: t.partitions.map((p) => (p.records === null ? { index: p.partition, records: null } : { index: p.partition, recordsSizeInBytes: p.records.length })) })),
  };
  const response =
    res === null
      ? null
      : {
          responses: res.topics.map((t) => ({
            name: t.name,
            partitionResponses: t.partitions.map((p) => ({
              index: p.partition,
              errorCode: p.errorCode,
              baseOffset: Number(p.baseOffset),
              logAppendTimeMs: Number(p.logAppendTime),
              ...(withStart ? { logStartOffset: Number(p.logStartOffset) } : {}),
            })),
          })),
          throttleTimeMs: 0,
        };
  return completedJsonLine(ctx, 0, 'PRODUCE', request, response);
}

/** The older text line (DEBUG: the request as `numPartitions`, the response Struct in snake_case). */
export function textProduceLine(ctx: FetchLineContext, req: ProduceRequest, res: ProduceAnswer): string {
  const request = `{acks=${req.acks},timeout=${req.timeoutMs},numPartitions=${req.topics.reduce((n, t) => n + t.partitions.length, 0)}}`;
  const withStart = ctx.apiVersion >= 5;
  const response =
    res === null
      ? ''
      : '{responses=[' +
        res.topics
          .map(
            (t) =>
              `{topic=${t.name},partition_responses=[` +
              t.partitions.map((p) => `{partition=${p.partition},error_code=${p.errorCode},base_offset=${p.baseOffset},log_append_time=${p.logAppendTime}${withStart ? `,log_start_offset=${p.logStartOffset}` : ''}}`).join(',') +
              ']}',
          )
          .join(',') +
        '],throttle_time_ms=0}';
  return completedTextLine(ctx, 'PRODUCE', request, response);
}
