/*
 * DeleteGroups Request (Versions: 0–1) => [groups_names STRING]
 * DeleteGroups Response (Versions: 0–1) => throttle_time_ms INT32, [results (group_id STRING, error_code INT16)]
 * v1 is v0's layout (only the throttling behaviour changed); Java clients of Kafka 4.x send v1 at
 * the oldest (KIP-896 removed v0).
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
