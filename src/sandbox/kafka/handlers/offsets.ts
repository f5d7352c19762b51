import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import * as offsetCommitV1 from '../protocol/offset-commit/v1';
import * as offsetCommitV2 from '../protocol/offset-commit/v2';
import * as offsetFetchV1 from '../protocol/offset-fetch/v1';
import * as offsetFetchV2 from '../protocol/offset-fetch/v2';
import * as offsetFetchV3 from '../protocol/offset-fetch/v3';
import { AclOperation, ResourceType } from '../security';
import { codecFor, defineHandler, type ApiHandler } from './types';

const FETCH_CODECS = { 1: offsetFetchV1, 2: offsetFetchV2, 3: offsetFetchV3 } as const;

function commitResult(req: offsetCommitV2.OffsetCommitRequest, code: (topic: string, partition: number) => number): offsetCommitV2.OffsetCommitResponse {
  return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: code(t.name, p.partition) })) })) };
}

const offsetCommit = defineHandler<offsetCommitV2.OffsetCommitRequest>({
  decode: (r, version) => (version === 1 ? offsetCommitV1.decode(r) : offsetCommitV2.decode(r)),
  handle(ctx, req) {
    const { broker } = ctx;
    ctx.quiet = broker.onlyAccessLog(req.topics.map((t) => t.name));
    let res: offsetCommitV2.OffsetCommitResponse;
    if (!ctx.authorize(AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      res = commitResult(req, () => ErrorCode.GROUP_AUTHORIZATION_FAILED);
    } else {
      const groupCode = broker.groups.checkCommit(req.groupId, req.memberId, req.generationId);
      res = { topics: [] };
      for (const t of req.topics) {
        const allowed = ctx.authorize(AclOperation.READ, ResourceType.TOPIC, t.name);
        const topic = broker.topics.get(t.name);
        res.topics.push({
          name: t.name,
          partitions: t.partitions.map((p) => {
            let errorCode: number = groupCode;
            if (!allowed) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
            else if (!topic?.partitions[p.partition]) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            if (errorCode === 0) {
              broker.groups.commit(req.groupId, t.name, p.partition, p.offset, p.metadata);
              broker.forensicEmitter?.onCommit(req.groupId, t.name, p.partition, p.offset, p.metadata);
            }
            return { partition: p.partition, errorCode };
          }),
        });
      }
    }
    return (w) => offsetCommitV2.encode(w, res);
  },
  fail: (_ctx, req, code) => (w) => offsetCommitV2.encode(w, commitResult(req, () => code)),
});

const offsetFetch = defineHandler<offsetFetchV1.OffsetFetchRequest>({
  decode: (r, version) => codecFor<{ decode: typeof offsetFetchV1.decode }>(FETCH_CODECS, version).decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    const encode = codecFor<{ encode: typeof offsetFetchV1.encode }>(FETCH_CODECS, ctx.version).encode;
    const res: offsetFetchV1.OffsetFetchResponse = { topics: [], errorCode: 0 };
    if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, req.groupId)) {
      res.errorCode = ErrorCode.GROUP_AUTHORIZATION_FAILED;
      // v1 has no top-level error: every requested partition carries it instead.
      res.topics = (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partition) => ({ partition, offset: -1n, metadata: '', errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
      }));
      return (w) => encode(w, res);
    }
    if (req.topics === null) {
      for (const [name, parts] of broker.groups.allCommitted(req.groupId)) {
        // Every topic of the group: topics the principal may not describe are left out, unrecorded.
        if (!broker.authorizeListing(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) continue;
        res.topics.push({ name, partitions: parts.map((p) => ({ partition: p.partition, offset: p.offset, metadata: p.metadata ?? '', errorCode: 0 })) });
      }
    } else {
      for (const t of req.topics) {
        const allowed = ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name);
        res.topics.push({
          name: t.name,
          partitions: t.partitions.map((partition) => {
            if (!allowed) return { partition, offset: -1n, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
            // Every requested partition is answered; uncommitted ones get offset -1 and no error.
            const c = broker.groups.committed(req.groupId, t.name, partition);
            return { partition, offset: c?.offset ?? -1n, metadata: c?.metadata ?? '', errorCode: 0 };
          }),
        });
      }
    }
    return (w) => encode(w, res);
  },
  fail(ctx, req, code) {
    const encode = codecFor<{ encode: typeof offsetFetchV1.encode }>(FETCH_CODECS, ctx.version).encode;
    const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((partition) => ({ partition, offset: -1n, metadata: '', errorCode: code })) }));
    return (w) => encode(w, { topics, errorCode: code });
  },
});

/** OffsetCommit and OffsetFetch. */
export const OFFSET_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.OffsetFetch, offsetFetch],
];
