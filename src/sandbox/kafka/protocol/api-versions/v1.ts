/*
 * ApiVersions Response (Version: 1) => error_code [api_keys] throttle_time_ms
 *   v0 + throttle_time_ms INT32 at the end. Version 2 has the same layout.
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v0.ApiVersionsResponse): void {
  v0.encode(w, res);
  w.int32(0);
}
