import { ApiKey } from '../protocol/api-keys';
import * as alterV0 from '../protocol/alter-user-scram/v0';
import * as describeV0 from '../protocol/describe-user-scram/v0';
import { ErrorCode } from '../protocol/errors';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType, alterScramCredentials, describeScramCredentials } from '../security';
import { defineHandler, type ApiHandler } from './types';

const DENIED = 'Cluster authorization failed.';

const describeScram = defineHandler<{ users: string[] | null }>({
  decode: (r) => describeV0.decode(r),
  handle(ctx, req) {
    const res: describeV0.DescribeScramResponse = ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
      ? { errorCode: 0, errorMessage: null, results: describeScramCredentials(ctx.broker.credentials, req.users) }
      : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED, results: [] };
    return (w) => describeV0.encode(w, res);
  },
  fail: (_ctx, _req, code) => (w) => describeV0.encode(w, { errorCode: code, errorMessage: 'injected fault', results: [] }),
});

function usersOf(req: alterV0.AlterScramRequest): string[] {
  return [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
}

const alterScram = defineHandler<alterV0.AlterScramRequest>({
  decode: (r) => alterV0.decode(r),
  handle(ctx, req) {
    const results = ctx.authorize(AclOperation.ALTER, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
      ? alterScramCredentials(ctx.broker.credentials, req)
      : usersOf(req).map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED }));
    return (w) => alterV0.encode(w, { results });
  },
  fail: (_ctx, req, code) => (w) => alterV0.encode(w, { results: usersOf(req).map((user) => ({ user, errorCode: code, errorMessage: 'injected fault' })) }),
});

/** DescribeUserScramCredentials (50) and AlterUserScramCredentials (51). */
export const SCRAM_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.DescribeUserScramCredentials, describeScram],
  [ApiKey.AlterUserScramCredentials, alterScram],
];
