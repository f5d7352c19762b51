/*
 * JoinGroup Request (Version: 0) => group_id session_timeout member_id protocol_type [group_protocols]
 *   group_id STRING, session_timeout INT32, member_id STRING, protocol_type STRING
 *   group_protocols => protocol_name STRING, protocol_metadata BYTES
 * JoinGroup Response (Version: 0) => error_code generation_id group_protocol leader_id member_id [members]
 *   error_code INT16, generation_id INT32, group_protocol STRING, leader_id STRING, member_id STRING
 *   members => member_id STRING, member_metadata BYTES
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Join group request (decoded form). */
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}
/** Join group response (decoded form). */
export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocol: string;
  leaderId: string;
  memberId: string;
  members: Array<{ memberId: string; metadata: Buffer }>;
}

/** Reads the group protocols array (shared by every JoinGroup version). */
export function decodeProtocols(r: KafkaReader): JoinGroupRequest['protocols'] {
  return r.array((p) => ({ name: p.string() ?? '', metadata: Buffer.from(p.bytes() ?? Buffer.alloc(0)) })) ?? [];
}

/** Reads the request body of this version. */
export function decode(r: KafkaReader): JoinGroupRequest {
  const groupId = r.string() ?? '';
  const sessionTimeoutMs = r.int32();
  const memberId = r.string() ?? '';
  const protocolType = r.string() ?? '';
  // v0 has no rebalance timeout; Kafka uses the session timeout in its place.
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs: sessionTimeoutMs, memberId, protocolType, protocols: decodeProtocols(r) };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: JoinGroupResponse): void {
  w.int16(res.errorCode).int32(res.generationId).string(res.protocol).string(res.leaderId).string(res.memberId)
    .array(res.members, (x, m) => x.string(m.memberId).bytes(m.metadata));
}
