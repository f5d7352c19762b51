import type { KafkaWriter } from '../../../kafka/wire';
import { ApiKey } from '../protocol/api-keys';
import * as deleteGroupsV0 from '../protocol/delete-groups/v0';
import * as describeGroupsV0 from '../protocol/describe-groups/v0';
import { ErrorCode } from '../protocol/errors';
import * as findCoordinatorV0 from '../protocol/find-coordinator/v0';
import * as findCoordinatorV1 from '../protocol/find-coordinator/v1';
import * as heartbeatV0 from '../protocol/heartbeat/v0';
import * as heartbeatV1 from '../protocol/heartbeat/v1';
import * as joinGroupV0 from '../protocol/join-group/v0';
import * as joinGroupV1 from '../protocol/join-group/v1';
import * as joinGroupV2 from '../protocol/join-group/v2';
import * as leaveGroupV0 from '../protocol/leave-group/v0';
import * as leaveGroupV1 from '../protocol/leave-group/v1';
import * as listGroupsV0 from '../protocol/list-groups/v0';
import * as syncGroupV0 from '../protocol/sync-group/v0';
import * as syncGroupV1 from '../protocol/sync-group/v1';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../security';
import { codecFor, defineHandler, type ApiHandler, type RequestContext } from './types';

const EMPTY = Buffer.alloc(0);
const JOIN_CODECS = { 0: joinGroupV0, 1: joinGroupV1, 2: joinGroupV2 } as const;
const SYNC_CODECS = { 0: syncGroupV0, 1: syncGroupV1 } as const;
const HEARTBEAT_CODECS = { 0: heartbeatV0, 1: heartbeatV1 } as const;
const LEAVE_CODECS = { 0: leaveGroupV0, 1: leaveGroupV1 } as const;
const readGroup = (ctx: RequestContext, groupId: string): boolean => ctx.authorize(AclOperation.READ, ResourceType.GROUP, groupId);

/** v0 asks for a group's coordinator; v1–v2 name the kind, and only groups are served here. */
const findCoordinator = defineHandler<findCoordinatorV1.FindCoordinatorRequestV1>({
  decode: (r, version) => (version === 0 ? { ...findCoordinatorV0.decode(r), keyType: findCoordinatorV1.KeyType.GROUP } : findCoordinatorV1.decode(r)),
  handle(ctx, req) {
    const { broker } = ctx;
    let res: findCoordinatorV0.FindCoordinatorResponse & { errorMessage: string | null };
    if (req.keyType !== findCoordinatorV1.KeyType.GROUP) {
      // Transactions are not served: a final error, where a retriable one would have a transactional
      // producer ask forever.
      res = { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'the sandbox broker does not serve transactions', nodeId: -1, host: '', port: -1 };
    } else if (ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, req.key)) {
      res = { errorCode: 0, errorMessage: null, nodeId: broker.nodeId, host: broker.host, port: broker.port };
    } else {
      res = { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, nodeId: -1, host: '', port: -1 };
    }
    return findCoordinatorEncoder(ctx.version, res);
  },
  fail: (ctx, _req, code) => findCoordinatorEncoder(ctx.version, { errorCode: code, errorMessage: null, nodeId: -1, host: '', port: -1 }),
});

function findCoordinatorEncoder(version: number, res: findCoordinatorV0.FindCoordinatorResponse & { errorMessage: string | null }): (w: KafkaWriter) => void {
  return version === 0 ? (w) => findCoordinatorV0.encode(w, res) : (w) => findCoordinatorV1.encode(w, res);
}

const joinError = (code: number, memberId: string): joinGroupV0.JoinGroupResponse => ({ errorCode: code, generationId: -1, protocol: '', leaderId: '', memberId, members: [] });

const joinGroup = defineHandler<joinGroupV0.JoinGroupRequest>({
  decode: (r, version) => codecFor(JOIN_CODECS, version).decode(r),
  async handle(ctx, req) {
    const res = readGroup(ctx, req.groupId)
      ? await ctx.broker.groups.join(req, ctx.clientId, ctx.session.host)
      : joinError(ErrorCode.GROUP_AUTHORIZATION_FAILED, req.memberId);
    return (w) => codecFor(JOIN_CODECS, ctx.version).encode(w, res);
  },
  fail: (ctx, req, code) => (w) => codecFor(JOIN_CODECS, ctx.version).encode(w, joinError(code, req.memberId)),
});

const syncGroup = defineHandler<syncGroupV0.SyncGroupRequest>({
  decode: (r, version) => codecFor(SYNC_CODECS, version).decode(r),
  async handle(ctx, req) {
    const res = readGroup(ctx, req.groupId)
      ? await ctx.broker.groups.sync(req)
      : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: EMPTY };
    return (w) => codecFor(SYNC_CODECS, ctx.version).encode(w, res);
  },
  fail: (ctx, _req, code) => (w) => codecFor(SYNC_CODECS, ctx.version).encode(w, { errorCode: code, assignment: EMPTY }),
});

const heartbeat = defineHandler<heartbeatV0.HeartbeatRequest>({
  decode: (r, version) => codecFor(HEARTBEAT_CODECS, version).decode(r),
  handle(ctx, req) {
    const errorCode = readGroup(ctx, req.groupId)
      ? ctx.broker.groups.heartbeat(req.groupId, req.memberId, req.generationId)
      : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    return (w) => codecFor(HEARTBEAT_CODECS, ctx.version).encode(w, { errorCode });
  },
  fail: (ctx, _req, code) => (w) => codecFor(HEARTBEAT_CODECS, ctx.version).encode(w, { errorCode: code }),
});

const leaveGroup = defineHandler<leaveGroupV0.LeaveGroupRequest>({
  decode: (r, version) => codecFor(LEAVE_CODECS, version).decode(r),
  handle(ctx, req) {
    const errorCode = readGroup(ctx, req.groupId) ? ctx.broker.groups.leave(req.groupId, req.memberId) : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    return (w) => codecFor(LEAVE_CODECS, ctx.version).encode(w, { errorCode });
  },
  fail: (ctx, _req, code) => (w) => codecFor(LEAVE_CODECS, ctx.version).encode(w, { errorCode: code }),
});

const deniedGroup = (groupId: string, code: number): describeGroupsV0.DescribedGroup => ({ errorCode: code, groupId, state: '', protocolType: '', protocol: '', members: [] });

const describeGroups = defineHandler<{ groups: string[] }>({
  decode: (r) => describeGroupsV0.decode(r),
  handle(ctx, req) {
    const groups = req.groups.map((g) =>
      ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, g) ? ctx.broker.groups.describe(g) : deniedGroup(g, ErrorCode.GROUP_AUTHORIZATION_FAILED),
    );
    return (w) => describeGroupsV0.encode(w, { groups });
  },
  fail: (_ctx, req, code) => (w) => describeGroupsV0.encode(w, { groups: req.groups.map((g) => deniedGroup(g, code)) }),
});

const listGroups = defineHandler<null>({
  decode: () => null,
  handle(ctx) {
    const all = ctx.broker.groups.list().filter((g) => g.state !== 'Dead');
    // DESCRIBE on the cluster lists every group; otherwise only groups the principal may describe.
    // Both checks only filter the listing: denials are not recorded (see KafkaBroker.authorizeListing).
    const visible = ctx.broker.authorizeListing(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)
      ? all
      : all.filter((g) => ctx.broker.authorizeListing(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId));
    const groups = visible.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
    return (w) => listGroupsV0.encode(w, { errorCode: 0, groups });
  },
  fail: (_ctx, _req, code) => (w) => listGroupsV0.encode(w, { errorCode: code, groups: [] }),
});

const deleteGroups = defineHandler<{ groups: string[] }>({
  decode: (r) => deleteGroupsV0.decode(r),
  handle(ctx, req) {
    const results = req.groups.map((groupId) => ({
      groupId,
      errorCode: ctx.authorize(AclOperation.DELETE, ResourceType.GROUP, groupId) ? ctx.broker.groups.delete(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED,
    }));
    return (w) => deleteGroupsV0.encode(w, { results });
  },
  fail: (_ctx, req, code) => (w) => deleteGroupsV0.encode(w, { results: req.groups.map((groupId) => ({ groupId, errorCode: code })) }),
});

/** FindCoordinator and the consumer-group APIs. */
export const GROUP_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroup],
  [ApiKey.SyncGroup, syncGroup],
  [ApiKey.Heartbeat, heartbeat],
  [ApiKey.LeaveGroup, leaveGroup],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.ListGroups, listGroups],
  [ApiKey.DeleteGroups, deleteGroups],
];
