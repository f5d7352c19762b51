/*
 * DeleteGroups Request (Version: 0) => [groups_names STRING]
 * DeleteGroups Response (Version: 0) => throttle_time_ms INT32, [results (group_id STRING, error_code INT16)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Delete groups response (decoded form). */
export interface DeleteGroupsResponse { results: Array<{ groupId: string; errorCode: number }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { groups: string[] } {
  return { groups: r.array((x) => x.string() ?? '') ?? [] };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: DeleteGroupsResponse): void {
  w.int32(0).array(res.results, (x, g) => x.string(g.groupId).int16(g.errorCode));
}
