/*
 * JoinGroup Request (Version: 2) => as v1
 * JoinGroup Response (Version: 2) => throttle_time_ms INT32, then v0's body
 *   (kafka-python 2.x sends v2 to brokers it probes as 0.11 or later)
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import type { JoinGroupResponse } from './v0';
import * as v0 from './v0';
import * as v1 from './v1';

/** Reads the request body of this version. */
export const decode = v1.decode;

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: JoinGroupResponse): void {
  w.int32(0);
  v0.encode(w, res);
}
