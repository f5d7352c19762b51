/*
 * LeaveGroup Request (Version: 1) => as v0
 * LeaveGroup Response (Version: 1) => throttle_time_ms INT32, error_code INT16
 */
import { encode as encodeThrottledError } from '../heartbeat/v1';
import * as v0 from './v0';

/** Reads the request body of this version. */
export const decode = v0.decode;

/** Writes the response body of this version. */
export const encode = encodeThrottledError;
