import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ConfigResourceTypes,
  ResourcePatternTypes,
  type Admin,
  type AclEntry,
} from 'kafkajs';
import type { Logger } from '../log/logger';

/**
 * Topics that hold proof (the audit topic, evidence topics) are created "immutable" as far as
 * Kafka allows: records never age out (`retention.ms=-1`, `retention.bytes=-1`), nothing compacts
 * them away (`cleanup.policy=delete`), only the orchestrator principal is allowed to WRITE, and
 * DELETE / ALTER / ALTER_CONFIGS are denied to `User:*`. Deny overrides allow, so not even a
 * principal holding ALL on the topic can delete it or shorten its retention.
 *
 * Super users bypass ACLs (in Kafka and in the sandbox, where the orchestrator runs as the admin
 * super user). In production the orchestrator must be a NON-super principal with explicit ALLOWs
 * (WRITE, READ, DESCRIBE on these topics, READ on the `breachline-` group prefix), and super-user
 * credentials should be held by nobody who runs day-to-day operations.
 */

/** Topic configs of an immutable topic. */
export const IMMUTABLE_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'cleanup.policy': 'delete',
};

/** Operations denied to everyone on an immutable topic. */
export const DENIED_OPERATIONS = ['DELETE', 'ALTER', 'ALTER_CONFIGS'] as const;

/** What {@link ensureImmutableTopic} creates. */
export interface ImmutableTopicSpec {
  topic: string;
  /** Partitions when the topic has to be created (an existing topic keeps its count). */
  partitions: number;
  /** The principal allowed to write, e.g. `User:breachline`. */
  writer: string;
  /** Replication factor on creation. @default -1 (the broker's default) */
  replicationFactor?: number;
}

/** Result of {@link ensureImmutableTopic}. */
export interface ImmutableTopicState {
  created: boolean;
  partitions: number;
  /** ACL bindings that had to be added (empty when everything was already in place). */
  addedAcls: number;
  /** Config keys that had to be corrected on an existing topic. */
  correctedConfigs: string[];
  /**
   * Principals other than the writer that an ALLOW binding lets write (WRITE or ALL, literal or
   * prefixed). Reported, not removed: someone granted it on purpose or by mistake, and an
   * operator has to decide; `audit verify` catches whatever they write.
   */
  foreignWriters: string[];
}

/**
 * Creates the topic with immutable configs and ACLs, or brings an existing one up to them.
 * Idempotent: a second call changes nothing and reports `created: false, addedAcls: 0`.
 */
export async function ensureImmutableTopic(admin: Admin, spec: ImmutableTopicSpec, logger?: Logger): Promise<ImmutableTopicState> {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor ?? -1,
        configEntries: Object.entries(IMMUTABLE_TOPIC_CONFIGS).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  const correctedConfigs = created ? [] : await correctConfigs(admin, spec.topic, logger);
  const addedAcls = await ensureAcls(admin, spec);
  await checkRetention(admin, spec.topic);
  const foreignWriters = await findForeignWriters(admin, spec);
  if (foreignWriters.length > 0) logger?.error({ topic: spec.topic, principals: foreignWriters }, 'principals other than the orchestrator may write this proof topic: revoke their WRITE');
  const partitions = (await admin.fetchTopicOffsets(spec.topic)).length;
  return { created, partitions, addedAcls, correctedConfigs, foreignWriters };
}

/** Reads the configs back: a broker that ignored the correction must not go unnoticed. */
async function checkRetention(admin: Admin, topic: string): Promise<void> {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
  const value = described.resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
  if (value !== '-1') throw new Error(`topic ${topic} has retention.ms=${value ?? 'unset'} after ensuring -1: records would age out`);
}

/** Principals an ALLOW binding lets WRITE the topic, other than the writer. */
async function findForeignWriters(admin: Admin, spec: ImmutableTopicSpec): Promise<string[]> {
  const existing = await admin.describeAcls({
    resourceType: AclResourceTypes.TOPIC,
    resourceName: spec.topic,
    resourcePatternType: ResourcePatternTypes.MATCH,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ALLOW,
  });
  const writers = new Set<string>();
  for (const resource of existing.resources) {
    for (const acl of resource.acls) {
      if ((acl.operation === AclOperationTypes.WRITE || acl.operation === AclOperationTypes.ALL) && acl.principal !== spec.writer) writers.add(acl.principal);
    }
  }
  return [...writers].sort();
}

/** Sets the immutable configs on a topic that exists without them (e.g. created by hand). */
async function correctConfigs(admin: Admin, topic: string, logger?: Logger): Promise<string[]> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: Object.keys(IMMUTABLE_TOPIC_CONFIGS) }],
  });
  const entries = described.resources[0]?.configEntries ?? [];
  const current = new Map(entries.map((e) => [e.configName, e.configValue]));
  const wrong = Object.entries(IMMUTABLE_TOPIC_CONFIGS)
    .filter(([name, value]) => current.get(name) !== value)
    .map(([name]) => name);
  if (wrong.length === 0) return [];
  logger?.warn({ topic, configs: wrong }, 'existing evidence/audit topic was not immutable; correcting its configs');
  // AlterConfigs (non-incremental) replaces every override, so send the full intended set.
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: Object.entries(IMMUTABLE_TOPIC_CONFIGS).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  return wrong;
}

function wantedAcls(spec: ImmutableTopicSpec): AclEntry[] {
  const resource = { resourceType: AclResourceTypes.TOPIC, resourceName: spec.topic, resourcePatternType: ResourcePatternTypes.LITERAL };
  return [
    { ...resource, principal: spec.writer, host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
    ...DENIED_OPERATIONS.map((op) => ({
      ...resource,
      principal: 'User:*',
      host: '*',
      operation: AclOperationTypes[op],
      permissionType: AclPermissionTypes.DENY,
    })),
  ];
}

async function ensureAcls(admin: Admin, spec: ImmutableTopicSpec): Promise<number> {
  const existing = await admin.describeAcls({
    resourceType: AclResourceTypes.TOPIC,
    resourceName: spec.topic,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  const have = new Set<string>();
  for (const resource of existing.resources) {
    for (const acl of resource.acls) have.add(`${acl.principal}|${acl.host}|${acl.operation}|${acl.permissionType}`);
  }
  const missing = wantedAcls(spec).filter((a) => !have.has(`${a.principal}|${a.host}|${a.operation}|${a.permissionType}`));
  if (missing.length > 0) await admin.createAcls({ acl: missing });
  return missing.length;
}
