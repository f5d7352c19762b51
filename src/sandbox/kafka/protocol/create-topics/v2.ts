/*
 * CreateTopics Request (Version: 2) => as v1
 * CreateTopics Response (Version: 2) => throttle_time_ms INT32, then v1's body
 *   Versions 3 and 4 have this layout too: v3 only changes quota semantics, and v4 lets
 *   num_partitions / replication_factor be -1 (broker default) without assignments (KIP-464),
 *   which this broker accepts at every version. Kafka 3.x schemas mark v0–1 deprecated (KIP-896).
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import type * as v0 from './v0';
import * as v1 from './v1';

/** Reads the request body of this version. */
export const decode = v1.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v0.CreateTopicsResponse): void {
  w.int32(0);
  v1.encode(w, res);
}
