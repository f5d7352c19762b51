/*
 * LeaveGroup Request (Version: 0) => group_id STRING, member_id STRING
 * LeaveGroup Response (Version: 0) => error_code INT16
 */
import type { KafkaReader } from '../../../../kafka/wire';
import { encode as encodeErrorOnly } from '../heartbeat/v0';

/** Leave group request (decoded form). */
export interface LeaveGroupRequest { groupId: string; memberId: string }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): LeaveGroupRequest {
  return { groupId: r.string() ?? '', memberId: r.string() ?? '' };
}

/** Writes the response body of this version. */
export const encode = encodeErrorOnly;
