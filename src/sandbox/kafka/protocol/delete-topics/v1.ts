/*
 * DeleteTopics Request (Version: 1) => as v0
 * DeleteTopics Response (Version: 1) => throttle_time_ms INT32, then v0's body
 *   Versions 2 and 3 have this layout too (quota and error-code changes only).
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Reads the request body of this version. */
export const decode = v0.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: Parameters<typeof v0.encode>[1]): void {
  w.int32(0);
  v0.encode(w, res);
}
