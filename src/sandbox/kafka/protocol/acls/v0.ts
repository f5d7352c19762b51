/*
 * ACL APIs, version 0 (patterns are always LITERAL):
 * DescribeAcls Request (0) => resource_type INT8, resource_name NULLABLE_STRING, principal NULLABLE_STRING,
 *   host NULLABLE_STRING, operation INT8, permission_type INT8
 * DescribeAcls Response (0) => throttle_time_ms INT32, error_code INT16, error_message NULLABLE_STRING,
 *   [resources (resource_type INT8, resource_name STRING, [acls (principal STRING, host STRING, operation INT8, permission_type INT8)])]
 * CreateAcls Request (0) => [creations (resource_type INT8, resource_name STRING, principal STRING, host STRING, operation INT8, permission_type INT8)]
 * CreateAcls Response (0) => throttle_time_ms INT32, [creation_responses (error_code INT16, error_message NULLABLE_STRING)]
 * DeleteAcls Request (0) => [filters (same fields as the DescribeAcls request)]
 * DeleteAcls Response (0) => throttle_time_ms INT32, [filter_responses (error_code INT16, error_message NULLABLE_STRING,
 *   [matching_acls (error_code INT16, error_message NULLABLE_STRING, resource_type INT8, resource_name STRING,
 *    principal STRING, host STRING, operation INT8, permission_type INT8)])]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

const LITERAL = 3;

/** An ACL binding or filter on the wire (filters carry nulls and ANY/MATCH values). */
export interface WireAcl {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}
/** Acl result (decoded form). */
export interface AclResult { errorCode: number; errorMessage: string | null }
/** Describe acls response (decoded form). */
export interface DescribeAclsResponse extends AclResult { acls: WireAcl[] }
/** Delete acls response (decoded form). */
export interface DeleteAclsResponse { results: Array<AclResult & { matching: Array<AclResult & { acl: WireAcl }> }> }

/** Reads one binding/filter; `withPattern` is the only difference between v0 and v1. */
export function readAcl(r: KafkaReader, withPattern: boolean): WireAcl {
  const resourceType = r.int8();
  const resourceName = r.string();
  const patternType = withPattern ? r.int8() : LITERAL;
  return { resourceType, resourceName, patternType, principal: r.string(), host: r.string(), operation: r.int8(), permissionType: r.int8() };
}

/** Writes a resource (type, name and, from v1, pattern type). */
export function writeResource(w: KafkaWriter, acl: WireAcl, withPattern: boolean): void {
  w.int8(acl.resourceType).string(acl.resourceName ?? '');
  if (withPattern) w.int8(acl.patternType);
}

/** Writes an access control entry (principal, host, operation, permission). */
export function writeEntry(w: KafkaWriter, acl: WireAcl): void {
  w.string(acl.principal ?? '').string(acl.host ?? '').int8(acl.operation).int8(acl.permissionType);
}

/** Groups bindings by resource, as DescribeAcls answers. */
export function byResource(acls: readonly WireAcl[]): Array<{ key: WireAcl; acls: WireAcl[] }> {
  const groups = new Map<string, { key: WireAcl; acls: WireAcl[] }>();
  for (const a of acls) {
    const k = `${a.resourceType}\0${a.patternType}\0${a.resourceName ?? ''}`;
    const g = groups.get(k) ?? { key: a, acls: [] };
    g.acls.push(a);
    groups.set(k, g);
  }
  return [...groups.values()];
}

/** The ACL codecs of one version. */
export function codec(withPattern: boolean) {
  return {
    decodeDescribe: (r: KafkaReader): WireAcl => readAcl(r, withPattern),
    encodeDescribe: (w: KafkaWriter, res: DescribeAclsResponse): void => {
      w.int32(0).int16(res.errorCode).string(res.errorMessage).array(byResource(res.acls), (x, g) => {
        writeResource(x, g.key, withPattern);
        x.array(g.acls, writeEntry);
      });
    },
    decodeCreate: (r: KafkaReader): WireAcl[] => r.array((x) => readAcl(x, withPattern)) ?? [],
    encodeCreate: (w: KafkaWriter, res: AclResult[]): void => {
      w.int32(0).array(res, (x, c) => x.int16(c.errorCode).string(c.errorMessage));
    },
    decodeDelete: (r: KafkaReader): WireAcl[] => r.array((x) => readAcl(x, withPattern)) ?? [],
    encodeDelete: (w: KafkaWriter, res: DeleteAclsResponse): void => {
      w.int32(0).array(res.results, (x, f) =>
        x.int16(f.errorCode).string(f.errorMessage).array(f.matching, (y, m) => {
          y.int16(m.errorCode).string(m.errorMessage);
          writeResource(y, m.acl, withPattern);
          writeEntry(y, m.acl);
        }),
      );
    },
  };
}

/** Version 0 codecs. */
export const v0 = codec(false);
