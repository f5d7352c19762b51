/*
 * Metadata Response (Version: 2) => [brokers] cluster_id [controller_id] [topic_metadata]
 *   v1 + cluster_id NULLABLE_STRING after the brokers. The request is unchanged.
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v1 from './v1';

/** Reads the request body of this version. */
export const decode = v1.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v1.MetadataResponse): void {
  v1.encodeBrokers(w, res);
  w.string(res.clusterId).int32(res.controllerId);
  v1.encodeTopics(w, res);
}
