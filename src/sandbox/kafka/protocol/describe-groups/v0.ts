/*
 * DescribeGroups Request (Version: 0) => [group_ids STRING]
 * DescribeGroups Response (Version: 0) => [groups]
 *   groups => error_code INT16, group_id STRING, state STRING, protocol_type STRING, protocol STRING, [members]
 *     members => member_id STRING, client_id STRING, client_host STRING, member_metadata BYTES, member_assignment BYTES
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Described member (decoded form). */
export interface DescribedMember { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }
/** Described group (decoded form). */
export interface DescribedGroup { errorCode: number; groupId: string; state: string; protocolType: string; protocol: string; members: DescribedMember[] }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { groups: string[] } {
  return { groups: r.array((x) => x.string() ?? '') ?? [] };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: { groups: DescribedGroup[] }): void {
  w.array(res.groups, (x, g) =>
    x.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol)
      .array(g.members, (y, m) => y.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment)),
  );
}
