/*
 * CreateTopics Request (Version: 0) => [create_topic_requests] timeout
 *   create_topic_requests => topic STRING, num_partitions INT32, replication_factor INT16,
 *     [replica_assignment (partition INT32, [replicas INT32])], [config_entries (config_name STRING, config_value NULLABLE_STRING)]
 *   timeout INT32
 * CreateTopics Response (Version: 0) => [topic_errors (topic STRING, error_code INT16)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Creatable topic (decoded form). */
export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partition: number; replicas: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}
/** Create topics request (decoded form). */
export interface CreateTopicsRequest { topics: CreatableTopic[]; timeoutMs: number; validateOnly: boolean }
/** Create topics response (decoded form). */
export interface CreateTopicsResponse { topics: Array<{ name: string; errorCode: number; errorMessage: string | null }> }

/** Reads the topics array (shared by CreateTopics v0 and v1). */
export function decodeTopics(r: KafkaReader): CreatableTopic[] {
  return r.array((t) => ({
    name: t.string() ?? '',
    numPartitions: t.int32(),
    replicationFactor: t.int16(),
    assignments: t.array((a) => ({ partition: a.int32(), replicas: a.array((x) => x.int32()) ?? [] })) ?? [],
    configs: t.array((c) => ({ name: c.string() ?? '', value: c.string() })) ?? [],
  })) ?? [];
}

/** Reads the request body of this version. */
export function decode(r: KafkaReader): CreateTopicsRequest {
  return { topics: decodeTopics(r), timeoutMs: r.int32(), validateOnly: false };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: CreateTopicsResponse): void {
  w.array(res.topics, (x, t) => x.string(t.name).int16(t.errorCode));
}
