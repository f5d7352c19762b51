/*
 * CreatePartitions Request (Version: 0) => [topic_partitions] timeout validate_only
 *   topic_partitions => topic STRING, new_partitions (count INT32, [assignment ARRAY(INT32)] nullable)
 *   timeout INT32, validate_only BOOLEAN
 * CreatePartitions Response (Version: 0) => throttle_time_ms INT32,
 *   [topic_errors (topic STRING, error_code INT16, error_message NULLABLE_STRING)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Create partitions request (decoded form). */
export interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number; assignments: number[][] | null }>;
  timeoutMs: number;
  validateOnly: boolean;
}
/** Create partitions response (decoded form). */
export interface CreatePartitionsResponse { topics: Array<{ name: string; errorCode: number; errorMessage: string | null }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): CreatePartitionsRequest {
  return {
    topics: r.array((t) => ({ name: t.string() ?? '', count: t.int32(), assignments: t.array((a) => a.array((x) => x.int32()) ?? []) })) ?? [],
    timeoutMs: r.int32(),
    validateOnly: r.boolean(),
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: CreatePartitionsResponse): void {
  w.int32(0).array(res.topics, (x, t) => x.string(t.name).int16(t.errorCode).string(t.errorMessage));
}
