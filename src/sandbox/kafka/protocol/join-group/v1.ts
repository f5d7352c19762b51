/*
 * JoinGroup Request (Version: 1) => group_id session_timeout rebalance_timeout member_id protocol_type [group_protocols]
 *   v0 + rebalance_timeout INT32 after session_timeout. The response is v0's.
 */
import type { KafkaReader } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Reads the request body of this version. */
export function decode(r: KafkaReader): v0.JoinGroupRequest {
  const groupId = r.string() ?? '';
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = r.int32();
  const memberId = r.string() ?? '';
  const protocolType = r.string() ?? '';
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, protocolType, protocols: v0.decodeProtocols(r) };
}

/** Writes the response body of this version. */
export const encode = v0.encode;
