/*
 * OffsetFetch Response (Version: 2) => [responses] error_code
 *   v1 + top-level error_code INT16. The request is v1's, but a null topics array now means "all".
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v1 from './v1';

/** Reads the request body of this version. */
export const decode = v1.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v1.OffsetFetchResponse): void {
  v1.encode(w, res);
  w.int16(res.errorCode);
}
