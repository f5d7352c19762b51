/*
 * Committed offsets over the raw protocol, client side: FindCoordinator v2 (api key 10) to learn a
 * group's coordinator, then OffsetFetch v3 (api key 9) to it. Both are what kafkajs 2.2 and
 * librdkafka 2.x send (their frames are in the sandbox's wire fixtures), every broker since Kafka
 * 0.11 answers them, and Kafka 4.x still does (KIP-896 removed only FindCoordinator v0 and
 * OffsetFetch v0). One group per OffsetFetch below v8; all of a request's topics in one request.
 *
 * FindCoordinator v2 request:  key STRING, key_type INT8 (0 group, 1 transaction)
 *                    response: throttle_time_ms INT32, error_code INT16, error_message NULLABLE_STRING,
 *                              node_id INT32, host STRING, port INT32
 * OffsetFetch v3 request:      group_id STRING, topics NULLABLE ARRAY[name STRING, partition_indexes ARRAY[INT32]]
 *                              (null: every topic the group committed on)
 *                    response: throttle_time_ms INT32,
 *                              topics ARRAY[name STRING, partitions ARRAY[partition_index INT32,
 *                                committed_offset INT64 (-1: none), metadata NULLABLE_STRING, error_code INT16]],
 *                              error_code INT16 (group-level: coordinator errors, GROUP_AUTHORIZATION_FAILED)
 */
import type { KafkaReader, KafkaWriter } from '../wire';

export const FIND_COORDINATOR_API_KEY = 10;
export const FIND_COORDINATOR_VERSION = 2;
export const OFFSET_FETCH_API_KEY = 9;
export const OFFSET_FETCH_VERSION = 3;

/** A group's coordinator, or the error that stands for it. */
export interface Coordinator {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

/** Writes a FindCoordinator v2 request body for a consumer group. */
export function encodeFindCoordinator(w: KafkaWriter, groupId: string): void {
  w.string(groupId).int8(0);
}

/** Reads a FindCoordinator v2 response body. */
export function decodeFindCoordinator(r: KafkaReader): Coordinator {
  r.int32(); // throttle_time_ms
  return { errorCode: r.int16(), errorMessage: r.string(), nodeId: r.int32(), host: r.string() ?? '', port: r.int32() };
}

/** One partition's committed offset as OffsetFetch answers it. */
export interface CommittedAnswer {
  topic: string;
  partition: number;
  /** -1 when the group has no commit there. */
  offset: bigint;
  errorCode: number;
}

/** Writes an OffsetFetch v3 request body: `topics` with their partitions, or null for all. */
export function encodeOffsetFetch(w: KafkaWriter, groupId: string, topics: ReadonlyArray<{ topic: string; partitions: readonly number[] }> | null): void {
  w.string(groupId).array(topics, (x, t) => x.string(t.topic).array(t.partitions, (y, p) => y.int32(p)));
}

/** Reads an OffsetFetch v3 response body: the group-level error and every partition's answer. */
export function decodeOffsetFetch(r: KafkaReader): { errorCode: number; partitions: CommittedAnswer[] } {
  r.int32(); // throttle_time_ms
  const partitions: CommittedAnswer[] = [];
  r.array((t) => {
    const topic = t.string() ?? '';
    t.array((p) => {
      const partition = p.int32();
      const offset = p.int64();
      p.string(); // metadata: the committer's free text, not needed
      partitions.push({ topic, partition, offset, errorCode: p.int16() });
    });
  });
  return { errorCode: r.int16(), partitions };
}
