/*
 * FindCoordinator Request (Versions: 1–2) => key STRING, key_type INT8
 *   key_type: 0 = consumer group, 1 = transactional id. v2 is v1 (KIP-394 changed only behaviour).
 * FindCoordinator Response (Versions: 1–2) => throttle_time_ms INT32, error_code INT16,
 *   error_message NULLABLE_STRING, node_id INT32, host STRING, port INT32
 * Java clients of Kafka 4.x no longer send v0 (KIP-896).
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';
import type { FindCoordinatorResponse } from './v0';

/** Coordinator kinds a v1+ request can ask for. */
export const KeyType = { GROUP: 0, TRANSACTION: 1 } as const;

/** Find coordinator request of v1–v2 (decoded form). */
export interface FindCoordinatorRequestV1 { key: string; keyType: number }

/** Reads the request body of v1–v2. */
export function decode(r: KafkaReader): FindCoordinatorRequestV1 {
  return { key: r.string() ?? '', keyType: r.int8() };
}

/** Writes the response body of v1–v2. */
export function encode(w: KafkaWriter, res: FindCoordinatorResponse & { errorMessage: string | null }): void {
  w.int32(0).int16(res.errorCode).string(res.errorMessage).int32(res.nodeId).string(res.host).int32(res.port);
}
