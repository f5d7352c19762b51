import type { KafkaBroker } from '../broker';
import type { Topic } from '../log/topic-store';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import * as v0 from '../protocol/metadata/v0';
import * as v1 from '../protocol/metadata/v1';
import * as v2 from '../protocol/metadata/v2';
import * as v3 from '../protocol/metadata/v3';
import * as v4 from '../protocol/metadata/v4';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../security';
import { codecFor, defineHandler, type ApiHandler, type RequestContext } from './types';

const CODECS = { 0: v0, 1: v1, 2: v2, 3: v3, 4: v4 } as const;

function describeTopic(broker: KafkaBroker, topic: Topic): v1.MetadataTopic {
  return {
    errorCode: 0,
    name: topic.name,
    isInternal: topic.internal,
    partitions: topic.partitions.map((_, partition) => ({
      errorCode: 0,
      partition,
      leader: broker.nodeId,
      replicas: [broker.nodeId],
      isr: [broker.nodeId],
    })),
  };
}

function base(broker: KafkaBroker, topics: v1.MetadataTopic[]): v1.MetadataResponse {
  return {
    brokers: [{ nodeId: broker.nodeId, host: broker.host, port: broker.port, rack: null }],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
  };
}

function mayCreate(ctx: RequestContext, name: string): boolean {
  return ctx.authorize(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME) || ctx.authorize(AclOperation.CREATE, ResourceType.TOPIC, name);
}

const metadata = defineHandler<v1.MetadataRequest>({
  decode: (r, version) => codecFor<{ decode: typeof v1.decode }>(CODECS, version).decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    const out: v1.MetadataTopic[] = [];
    if (req.topics === null) {
      // All topics: those the principal may not DESCRIBE are left out, not reported as errors.
      for (const t of broker.topics.list()) if (broker.authorizeListing(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)) out.push(describeTopic(broker, t));
    } else {
      for (const name of req.topics) {
        let topic = broker.topics.get(name);
        if (!topic && req.allowAutoTopicCreation && broker.autoCreateTopics && mayCreate(ctx, name)) {
          try {
            topic = broker.createTopic(name);
          } catch {
            topic = undefined;
          }
        }
        if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
          out.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] });
        } else if (!topic) {
          out.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] });
        } else {
          out.push(describeTopic(broker, topic));
        }
      }
    }
    const res = base(broker, out);
    return (w) => codecFor<{ encode: typeof v1.encode }>(CODECS, ctx.version).encode(w, res);
  },
  fail(ctx, req, code) {
    const names = req.topics ?? ctx.broker.topics.list().map((t) => t.name);
    const res = base(ctx.broker, names.map((name) => ({ errorCode: code, name, isInternal: false, partitions: [] })));
    return (w) => codecFor<{ encode: typeof v1.encode }>(CODECS, ctx.version).encode(w, res);
  },
});

/** Metadata. */
export const METADATA_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [[ApiKey.Metadata, metadata]];
