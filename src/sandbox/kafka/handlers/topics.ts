import { ApiKey } from '../protocol/api-keys';
import * as createPartitionsV0 from '../protocol/create-partitions/v0';
import * as createTopicsV0 from '../protocol/create-topics/v0';
import * as createTopicsV1 from '../protocol/create-topics/v1';
import * as createTopicsV2 from '../protocol/create-topics/v2';
import * as deleteRecordsV0 from '../protocol/delete-records/v0';
import * as deleteTopicsV0 from '../protocol/delete-topics/v0';
import * as deleteTopicsV1 from '../protocol/delete-topics/v1';
import { BrokerError, ErrorCode } from '../protocol/errors';
import * as initProducerIdV0 from '../protocol/init-producer-id/v0';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../security';
import { codecFor, defineHandler, type ApiHandler, type RequestContext } from './types';

/** Runs an action, turning a BrokerError into Kafka's `{errorCode, errorMessage}`. */
function attempt(action: () => void): { errorCode: number; errorMessage: string | null } {
  try {
    action();
    return { errorCode: 0, errorMessage: null };
  } catch (err) {
    if (err instanceof BrokerError) return { errorCode: err.code, errorMessage: err.message };
    throw err;
  }
}

/** v2–v4 share one layout (see protocol/create-topics/v2.ts); DeleteTopics v1–v3 likewise. */
const CREATE_CODECS = { 0: createTopicsV0, 1: createTopicsV1, 2: createTopicsV2, 3: createTopicsV2, 4: createTopicsV2 } as const;
const DELETE_CODECS = { 0: deleteTopicsV0, 1: deleteTopicsV1, 2: deleteTopicsV1, 3: deleteTopicsV1 } as const;

const createTopics = defineHandler<createTopicsV0.CreateTopicsRequest>({
  decode: (r, version) => codecFor(CREATE_CODECS, version).decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const clusterCreate = ctx.authorize(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
    const topics = req.topics.map((t) => ({
      name: t.name,
      ...attempt(() => {
        if ((counts.get(t.name) ?? 0) > 1) throw new BrokerError(ErrorCode.INVALID_REQUEST, `Create topics request from client contains multiple entries for topic ${t.name}`);
        if (!clusterCreate && !ctx.authorize(AclOperation.CREATE, ResourceType.TOPIC, t.name)) {
          throw new BrokerError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
        }
        let partitions = t.numPartitions === -1 ? broker.defaultPartitions : t.numPartitions;
        let replication = t.replicationFactor === -1 ? 1 : t.replicationFactor;
        if (t.assignments.length > 0) {
          if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
            throw new BrokerError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set.');
          }
          if (t.assignments.some((a) => a.replicas.length !== 1 || a.replicas[0] !== broker.nodeId)) {
            throw new BrokerError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignments may only name broker ${broker.nodeId}.`);
          }
          partitions = t.assignments.length;
          replication = 1;
        }
        broker.topics.checkCreate(t.name, partitions, replication, t.configs);
        if (req.validateOnly) return;
        const configs = new Map(t.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value as string]));
        broker.topics.create(t.name, partitions, configs);
      }),
    }));
    return (w) => codecFor(CREATE_CODECS, ctx.version).encode(w, { topics });
  },
  fail: (ctx, req, code) => (w) =>
    codecFor(CREATE_CODECS, ctx.version).encode(w, { topics: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: 'injected fault' })) }),
});

const deleteTopics = defineHandler<{ topics: string[]; timeoutMs: number }>({
  decode: (r, version) => codecFor(DELETE_CODECS, version).decode(r),
  handle(ctx, req) {
    const topics = req.topics.map((name) => ({
      name,
      errorCode: attempt(() => {
        if (!ctx.authorize(AclOperation.DELETE, ResourceType.TOPIC, name)) throw new BrokerError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        ctx.broker.deleteTopic(name);
      }).errorCode,
    }));
    return (w) => codecFor(DELETE_CODECS, ctx.version).encode(w, { topics });
  },
  fail: (ctx, req, code) => (w) => codecFor(DELETE_CODECS, ctx.version).encode(w, { topics: req.topics.map((name) => ({ name, errorCode: code })) }),
});

const createPartitions = defineHandler<createPartitionsV0.CreatePartitionsRequest>({
  decode: (r) => createPartitionsV0.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    const topics = req.topics.map((t) => ({
      name: t.name,
      ...attempt(() => {
        if (!ctx.authorize(AclOperation.ALTER, ResourceType.TOPIC, t.name)) throw new BrokerError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
        if (t.assignments?.some((a) => a.length !== 1 || a[0] !== broker.nodeId)) {
          throw new BrokerError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignments may only name broker ${broker.nodeId}.`);
        }
        broker.topics.createPartitions(t.name, t.count, req.validateOnly);
      }),
    }));
    return (w) => createPartitionsV0.encode(w, { topics });
  },
  fail: (_ctx, req, code) => (w) => createPartitionsV0.encode(w, { topics: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: 'injected fault' })) }),
});

const deleteRecords = defineHandler<deleteRecordsV0.DeleteRecordsRequest>({
  decode: (r) => deleteRecordsV0.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    const topics = req.topics.map((t) => {
      const allowed = ctx.authorize(AclOperation.DELETE, ResourceType.TOPIC, t.name);
      const topic = broker.topics.get(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          const log = topic?.partitions[p.partition];
          if (!allowed) return { partition: p.partition, lowWatermark: -1n, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          if (!topic || !log) return { partition: p.partition, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          // -1 means "up to the high watermark"; anything beyond the log end is out of range.
          const target = p.offset === -1n ? log.logEndOffset : Number(p.offset);
          if (target < 0 || target > log.logEndOffset) return { partition: p.partition, lowWatermark: BigInt(log.logStartOffset), errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
          if (target > log.logStartOffset) {
            log.deleteBefore(target);
            broker.topics.noteLogStart(topic, p.partition);
          }
          return { partition: p.partition, lowWatermark: BigInt(log.logStartOffset), errorCode: 0 };
        }),
      };
    });
    return (w) => deleteRecordsV0.encode(w, { topics });
  },
  fail: (_ctx, req, code) => (w) =>
    deleteRecordsV0.encode(w, { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, lowWatermark: -1n, errorCode: code })) })) }),
});

function mayInitProducer(ctx: RequestContext, transactionalId: string | null): boolean {
  if (transactionalId !== null) return ctx.authorize(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId);
  if (ctx.authorize(AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)) return true;
  // Kafka 3.0+ (KIP-679): WRITE on any topic also allows an idempotent producer.
  return ctx.broker.authorizer.authorizeByResourceType({
    principal: ctx.session.principal ?? '',
    host: ctx.session.host,
    operation: AclOperation.WRITE,
    resourceType: ResourceType.TOPIC,
  });
}

const initProducerId = defineHandler<{ transactionalId: string | null; transactionTimeoutMs: number }>({
  decode: (r) => initProducerIdV0.decode(r),
  handle(ctx, req) {
    const res = mayInitProducer(ctx, req.transactionalId)
      ? { errorCode: 0, producerId: ctx.broker.allocateProducerId(), producerEpoch: 0 }
      : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    return (w) => initProducerIdV0.encode(w, res);
  },
  fail: (_ctx, _req, code) => (w) => initProducerIdV0.encode(w, { errorCode: code, producerId: -1n, producerEpoch: -1 }),
});

/** Topic administration, DeleteRecords and InitProducerId. */
export const TOPIC_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.CreatePartitions, createPartitions],
  [ApiKey.DeleteRecords, deleteRecords],
  [ApiKey.InitProducerId, initProducerId],
];
