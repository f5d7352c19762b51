/*
 * Metadata v10–v12 (api key 3, flexible), client side: the versions that carry each topic's id
 * (KIP-516), which Fetch v13+ and the request log of such fetches name topics by. Brokers of Kafka
 * 2.8 on answer v10; every broker that accepts Fetch v13 (3.1+) answers v12.
 *
 * Request:  topics COMPACT_NULLABLE_ARRAY[topic_id UUID, name COMPACT_NULLABLE_STRING, TAG_BUFFER]
 *             (null: every topic), allow_auto_topic_creation BOOLEAN,
 *           include_cluster_authorized_operations BOOLEAN (v10 only), include_topic_authorized_operations BOOLEAN,
 *           TAG_BUFFER
 * Response: throttle_time_ms INT32,
 *           brokers COMPACT_ARRAY[node_id INT32, host COMPACT_STRING, port INT32, rack COMPACT_NULLABLE_STRING, TAG_BUFFER],
 *           cluster_id COMPACT_NULLABLE_STRING, controller_id INT32,
 *           topics COMPACT_ARRAY[error_code INT16, name COMPACT_NULLABLE_STRING (null only from v12), topic_id UUID,
 *             is_internal BOOLEAN, partitions COMPACT_ARRAY[error_code INT16, partition_index INT32, leader_id INT32,
 *               leader_epoch INT32, replica_nodes COMPACT_ARRAY[INT32], isr_nodes COMPACT_ARRAY[INT32],
 *               offline_replicas COMPACT_ARRAY[INT32], TAG_BUFFER],
 *             topic_authorized_operations INT32, TAG_BUFFER],
 *           cluster_authorized_operations INT32 (v10 only), TAG_BUFFER
 *
 * A topic id prints (request log, tools) as its 16 bytes in URL-safe base64 without padding.
 */
import type { KafkaReader, KafkaWriter } from '../wire';

export const METADATA_API_KEY = 3;
export const METADATA_MIN_TOPIC_ID_VERSION = 10;
export const METADATA_MAX_VERSION = 12;

/** One topic as Metadata v10+ names it. */
export interface TopicIdentity {
  name: string | null;
  /** URL-safe base64 of the 16-byte UUID, as Kafka prints it; all zeros (`AAAAAAAAAAAAAAAAAAAAAA`) when the broker has none. */
  topicId: string;
  errorCode: number;
}

/** Writes a Metadata request body of `version` (10–12) asking for every topic, creating none. */
export function encodeMetadataAllTopics(w: KafkaWriter, version: number): void {
  w.compactArray(null, () => undefined).boolean(false);
  if (version === 10) w.boolean(false); // include_cluster_authorized_operations
  w.boolean(false).tagBuffer();
}

/** Reads a Metadata response body of `version` (10–12): each topic's name, id and error. */
export function decodeMetadataTopicIds(r: KafkaReader, version: number): TopicIdentity[] {
  r.int32(); // throttle_time_ms
  r.compactArray((b) => {
    b.int32();
    b.compactString();
    b.int32();
    b.compactString();
    b.skipTagBuffer();
  });
  r.compactString(); // cluster_id
  r.int32(); // controller_id
  const topics =
    r.compactArray((t) => {
      const errorCode = t.int16();
      const name = t.compactString();
      const topicId = Buffer.from(t.raw(16)).toString('base64url');
      t.boolean(); // is_internal
      t.compactArray((p) => {
        p.int16();
        p.int32();
        p.int32();
        p.int32();
        for (let i = 0; i < 3; i++) p.compactArray((n) => n.int32());
        p.skipTagBuffer();
      });
      t.int32(); // topic_authorized_operations
      t.skipTagBuffer();
      return { name, topicId, errorCode };
    }) ?? [];
  if (version === 10) r.int32(); // cluster_authorized_operations
  r.skipTagBuffer();
  return topics;
}
