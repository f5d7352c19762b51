/*
 * Metadata Request (Version: 1) => [topics]            topics => STRING; null array = all topics
 * Metadata Response (Version: 1) => [brokers] controller_id [topic_metadata]
 *   brokers => node_id INT32, host STRING, port INT32, rack NULLABLE_STRING
 *   controller_id => INT32
 *   topic_metadata => error_code INT16, topic STRING, is_internal BOOLEAN, [partition_metadata]
 *     partition_metadata => error_code INT16, partition INT32, leader INT32, [replicas INT32], [isr INT32]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Metadata request (decoded form). */
export interface MetadataRequest {
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}
/** Metadata broker (decoded form). */
export interface MetadataBroker { nodeId: number; host: string; port: number; rack: string | null }
/** Metadata partition (decoded form). */
export interface MetadataPartition { errorCode: number; partition: number; leader: number; replicas: number[]; isr: number[] }
/** Metadata topic (decoded form). */
export interface MetadataTopic { errorCode: number; name: string; isInternal: boolean; partitions: MetadataPartition[] }
/** Metadata response (decoded form). */
export interface MetadataResponse {
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}

/** Reads the request body of this version. */
export function decode(r: KafkaReader): MetadataRequest {
  // Before v4 the request has no flag; Kafka treats those as allowing auto-creation.
  return { topics: r.array((x) => x.string() ?? ''), allowAutoTopicCreation: true };
}

/** Writes the brokers array (shared by later versions). */
export function encodeBrokers(w: KafkaWriter, res: MetadataResponse): void {
  w.array(res.brokers, (x, b) => x.int32(b.nodeId).string(b.host).int32(b.port).string(b.rack));
}

/** Writes the topic metadata array (shared by later versions). */
export function encodeTopics(w: KafkaWriter, res: MetadataResponse): void {
  w.array(res.topics, (x, t) =>
    x.int16(t.errorCode).string(t.name).boolean(t.isInternal).array(t.partitions, (y, p) =>
      y.int16(p.errorCode).int32(p.partition).int32(p.leader)
        .array(p.replicas, (z, n) => z.int32(n))
        .array(p.isr, (z, n) => z.int32(n)),
    ),
  );
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: MetadataResponse): void {
  encodeBrokers(w, res);
  w.int32(res.controllerId);
  encodeTopics(w, res);
}
