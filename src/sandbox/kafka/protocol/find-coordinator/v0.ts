/*
 * FindCoordinator Request (Version: 0) => group_id STRING
 * FindCoordinator Response (Version: 0) => error_code INT16, node_id INT32, host STRING, port INT32
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Find coordinator request (decoded form). */
export interface FindCoordinatorRequest { key: string }
/** Find coordinator response (decoded form). */
export interface FindCoordinatorResponse { errorCode: number; nodeId: number; host: string; port: number }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): FindCoordinatorRequest {
  return { key: r.string() ?? '' };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: FindCoordinatorResponse): void {
  w.int16(res.errorCode).int32(res.nodeId).string(res.host).int32(res.port);
}
