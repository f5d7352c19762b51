/*
 * InitProducerId Request (Version: 0) => transactional_id NULLABLE_STRING, transaction_timeout_ms INT32
 * InitProducerId Response (Version: 0) => throttle_time_ms INT32, error_code INT16, producer_id INT64, producer_epoch INT16
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Init producer id response (decoded form). */
export interface InitProducerIdResponse { errorCode: number; producerId: bigint; producerEpoch: number }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { transactionalId: string | null; transactionTimeoutMs: number } {
  return { transactionalId: r.string(), transactionTimeoutMs: r.int32() };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: InitProducerIdResponse): void {
  w.int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch);
}
