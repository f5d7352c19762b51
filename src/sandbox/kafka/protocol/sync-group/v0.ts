/*
 * SyncGroup Request (Version: 0) => group_id generation_id member_id [group_assignment]
 *   group_id STRING, generation_id INT32, member_id STRING
 *   group_assignment => member_id STRING, member_assignment BYTES   (only the leader sends these)
 * SyncGroup Response (Version: 0) => error_code INT16, member_assignment BYTES
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Sync group request (decoded form). */
export interface SyncGroupRequest { groupId: string; generationId: number; memberId: string; assignments: Array<{ memberId: string; assignment: Buffer }> }
/** Sync group response (decoded form). */
export interface SyncGroupResponse { errorCode: number; assignment: Buffer }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): SyncGroupRequest {
  return {
    groupId: r.string() ?? '',
    generationId: r.int32(),
    memberId: r.string() ?? '',
    assignments: r.array((a) => ({ memberId: a.string() ?? '', assignment: Buffer.from(a.bytes() ?? Buffer.alloc(0)) })) ?? [],
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: SyncGroupResponse): void {
  w.int16(res.errorCode).bytes(res.assignment);
}
