/*
 * Metadata Request (Version: 0) => [topics]            topics => STRING; an EMPTY array = all topics
 * Metadata Response (Version: 0) => [brokers] [topic_metadata]
 *   brokers => node_id INT32, host STRING, port INT32
 *   topic_metadata => error_code INT16, topic STRING, [partition_metadata]
 *     partition_metadata => error_code INT16, partition INT32, leader INT32, [replicas INT32], [isr INT32]
 *   kafka-python 2.x sends v0 while it probes the broker version, whatever it learned from ApiVersions.
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';
import type { MetadataRequest, MetadataResponse } from './v1';

/** Reads the request body of this version. */
export function decode(r: KafkaReader): MetadataRequest {
  const topics = r.array((x) => x.string() ?? '');
  // v0 has no null array: "no topics" is how it asks for all of them.
  return { topics: topics === null || topics.length === 0 ? null : topics, allowAutoTopicCreation: true };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: MetadataResponse): void {
  w.array(res.brokers, (x, b) => x.int32(b.nodeId).string(b.host).int32(b.port));
  w.array(res.topics, (x, t) =>
    x.int16(t.errorCode).string(t.name).array(t.partitions, (y, p) =>
      y.int16(p.errorCode).int32(p.partition).int32(p.leader)
        .array(p.replicas, (z, n) => z.int32(n))
        .array(p.isr, (z, n) => z.int32(n)),
    ),
  );
}
