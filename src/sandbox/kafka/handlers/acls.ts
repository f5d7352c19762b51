import { ApiKey } from '../protocol/api-keys';
import { v0, type WireAcl } from '../protocol/acls/v0';
import { v1 } from '../protocol/acls/v1';
import { ErrorCode } from '../protocol/errors';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType, validateAclFilter, type AclBinding, type AclBindingFilter } from '../security';
import { defineHandler, type ApiHandler, type RequestContext } from './types';

const codec = (version: number): typeof v0 => (version === 0 ? v0 : v1);
const DENIED = 'Cluster authorization failed.';

function toBinding(a: WireAcl): AclBinding {
  return { ...a, resourceName: a.resourceName ?? '', principal: a.principal ?? '', host: a.host ?? '' };
}
function toFilter(a: WireAcl): AclBindingFilter {
  return { ...a };
}
function toWire(b: AclBinding): WireAcl {
  return { ...b };
}
const mayAlter = (ctx: RequestContext): boolean => ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);

const describeAcls = defineHandler<WireAcl>({
  decode: (r, version) => codec(version).decodeDescribe(r),
  handle(ctx, req) {
    const invalid = validateAclFilter(toFilter(req));
    const res = !ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
      ? { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED, acls: [] }
      : invalid !== undefined
        ? // Kafka refuses a filter with UNKNOWN codes instead of answering "no ACLs", which a caller would misread.
          { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid, acls: [] }
        : { errorCode: 0, errorMessage: null, acls: ctx.broker.authorizer.describeAcls(toFilter(req)).map(toWire) };
    return (w) => codec(ctx.version).encodeDescribe(w, res);
  },
  fail: (ctx, _req, code) => (w) => codec(ctx.version).encodeDescribe(w, { errorCode: code, errorMessage: 'injected fault', acls: [] }),
});

const createAcls = defineHandler<WireAcl[]>({
  decode: (r, version) => codec(version).decodeCreate(r),
  handle(ctx, req) {
    const res = mayAlter(ctx)
      ? ctx.broker.authorizer.createAcls(req.map(toBinding))
      : req.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED }));
    return (w) => codec(ctx.version).encodeCreate(w, res);
  },
  fail: (ctx, req, code) => (w) => codec(ctx.version).encodeCreate(w, req.map(() => ({ errorCode: code, errorMessage: 'injected fault' }))),
});

const deleteAcls = defineHandler<WireAcl[]>({
  decode: (r, version) => codec(version).decodeDelete(r),
  handle(ctx, req) {
    const results = mayAlter(ctx)
      ? ctx.broker.authorizer.deleteAcls(req.map(toFilter)).map((r) => ({
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          matching: r.matching.map((b) => ({ errorCode: 0, errorMessage: null, acl: toWire(b) })),
        }))
      : req.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED, matching: [] }));
    return (w) => codec(ctx.version).encodeDelete(w, { results });
  },
  fail: (ctx, req, code) => (w) => codec(ctx.version).encodeDelete(w, { results: req.map(() => ({ errorCode: code, errorMessage: 'injected fault', matching: [] })) }),
});

/** The ACL APIs (authorization data lives in the security modules' Authorizer). */
export const ACL_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.DescribeAcls, describeAcls],
  [ApiKey.CreateAcls, createAcls],
  [ApiKey.DeleteAcls, deleteAcls],
];
