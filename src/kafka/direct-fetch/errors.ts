import { adminErrorName } from '../scram-admin/errors';
import { findKafkaError } from '../wire';

/** A partition answered with an error, or a range could not be read. `type` is Kafka's error name. */
export class DirectFetchError extends Error {
  override readonly name = 'DirectFetchError';
  readonly type: string;
  readonly retriable: boolean;
  constructor(message: string, readonly code: number) {
    super(message);
    this.type = adminErrorName(code);
    this.retriable = findKafkaError(code)?.retriable ?? false;
  }
}

/** The broker has no record at the offset asked (below the log start or past its end). */
export const OFFSET_OUT_OF_RANGE = 1;
/** A batch larger than this is corruption or a misconfigured topic, not something to grow toward. */
export const MAX_PARTITION_BYTES = 64 * 1024 * 1024 - 1024;

/**
 * The next limit for a partition that brought back no whole batch although records are there: its
 * batch was cut short (a real broker) or did not fit what was left of the response (KIP-74). At
 * least double, at least the batch's announced size; past the largest frame it is an error.
 */
export function grow(current: number, batchBytes: number | undefined, topic: string, partition: number): number {
  if (current >= MAX_PARTITION_BYTES) throw new DirectFetchError(`${topic}/${partition}: a record batch larger than ${MAX_PARTITION_BYTES} bytes cannot be read`, 10);
  return Math.min(MAX_PARTITION_BYTES, Math.max(current * 2, batchBytes ?? 0));
}
