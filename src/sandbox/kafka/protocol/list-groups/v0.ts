/*
 * ListGroups Request (Version: 0) => (empty)
 * ListGroups Response (Version: 0) => error_code INT16, [groups (group_id STRING, protocol_type STRING)]
 */
import type { KafkaWriter } from '../../../../kafka/wire';

/** List groups response (decoded form). */
export interface ListGroupsResponse { errorCode: number; groups: Array<{ groupId: string; protocolType: string }> }

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: ListGroupsResponse): void {
  w.int16(res.errorCode).array(res.groups, (x, g) => x.string(g.groupId).string(g.protocolType));
}
