/*
 * OffsetFetch Response (Version: 3) => throttle_time_ms [responses] error_code
 *   v2 with throttle_time_ms INT32 first. The request is unchanged.
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import type { OffsetFetchResponse } from './v1';
import * as v2 from './v2';

/** Reads the request body of this version. */
export const decode = v2.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: OffsetFetchResponse): void {
  w.int32(0);
  v2.encode(w, res);
}
