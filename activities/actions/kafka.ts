import type { Admin, GroupDescription } from 'kafkajs';
import type { GenericActionInput, GenericActionResult, GenericCompensationInput } from '../../src/actions/contract';
import type { KafkaPauseConsumerGroupParams } from '../../src/actions/kafka-pause-consumer-group';
import type { KafkaResetOffsetsParams } from '../../src/actions/kafka-reset-offsets';
import type { AclBinding } from '../../src/domain/events';
import { createAclAdmin } from '../../src/kafka/acls';
import { createKafka, type KafkaConnection } from '../../src/kafka/client';
import type { Logger } from '../../src/log/logger';
import { checkpoint } from '../heartbeat';
import { ActionRefused, asAction, previousCheckpoint } from './support';

/*
 * `kafka.pause-consumer-group` and `kafka.reset-offsets`, with their compensations. Both read
 * the group first (DescribeGroups) and checkpoint what they are about to change before changing
 * it, so a retry after a crash neither forgets a binding it added nor records its own rewind as
 * "the previous offsets".
 */

/** What the Kafka actions need. */
export interface KafkaActionDeps {
  kafka: KafkaConnection;
  logger: Logger;
}

const sameBinding = (a: AclBinding, b: AclBinding): boolean =>
  a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType && a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permission === b.permission;

function denyRead(principal: string, resourceType: 'GROUP' | 'TOPIC', resourceName: string): AclBinding {
  return { resourceType, resourceName, patternType: 'LITERAL', principal, host: '*', operation: 'READ', permission: 'DENY' };
}

function isBinding(v: unknown): v is AclBinding {
  const b = v as Partial<AclBinding> | null;
  return !!b && typeof b.principal === 'string' && typeof b.resourceName === 'string' && (b.permission === 'DENY' || b.permission === 'ALLOW');
}

async function withAdmin<T>(deps: KafkaActionDeps, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createKafka(deps.kafka, { clientId: 'breachline-actions', logger: deps.logger }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function describeGroup(admin: Admin, group: string): Promise<GroupDescription> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups.find((d) => d.groupId === group);
  if (!g) throw new ActionRefused('ConsumerGroupUnknown', `group: the cluster did not describe ${group}`);
  return g;
}

const memberList = (g: GroupDescription): string => g.members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');

/** Committed offsets of `group` on `topic` by partition ('-1' where nothing is committed). */
async function committed(admin: Admin, group: string, topic: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of await admin.fetchOffsets({ groupId: group, topics: [topic] })) {
    if (t.topic === topic) for (const p of t.partitions) out[String(p.partition)] = p.offset;
  }
  return out;
}

/** The Kafka actions' activities, by the names their definitions register. */
export function createKafkaActionActivities(deps: KafkaActionDeps) {
  return {
    async actionKafkaPauseConsumerGroup(input: GenericActionInput<KafkaPauseConsumerGroupParams>): Promise<GenericActionResult> {
      return asAction('kafka.pause-consumer-group', () => pauseGroup(deps, input));
    },

    async actionKafkaResumeConsumerGroup(input: GenericCompensationInput): Promise<GenericActionResult> {
      return asAction('kafka.pause-consumer-group (compensation)', async () => {
        const raw = input.compensation.addedBindings;
        const added = Array.isArray(raw) ? raw.filter(isBinding) : [];
        const acls = createAclAdmin(deps.kafka, { clientId: 'breachline-actions', logger: deps.logger });
        try {
          const removed = await acls.deleteExact(added);
          const group = String(input.compensation.group ?? '');
          return { summary: `resumed consumer group ${group}: removed ${removed.length} DENY READ binding(s)`, details: { group, removedBindings: removed.length } };
        } finally {
          await acls.close();
        }
      });
    },

    async actionKafkaResetOffsets(input: GenericActionInput<KafkaResetOffsetsParams>): Promise<GenericActionResult> {
      return asAction('kafka.reset-offsets', () => withAdmin(deps, (admin) => resetOffsets(admin, input)));
    },

    async actionKafkaRestoreOffsets(input: GenericCompensationInput): Promise<GenericActionResult> {
      return asAction('kafka.reset-offsets (compensation)', () =>
        withAdmin(deps, async (admin) => {
          const group = String(input.compensation.group ?? '');
          const topic = String(input.compensation.topic ?? '');
          const previous = (input.compensation.previousOffsets ?? {}) as Record<string, string>;
          await mustBeEmpty(admin, group);
          const partitions = Object.entries(previous).filter(([, o]) => BigInt(o) >= 0n).map(([p, offset]) => ({ partition: Number(p), offset }));
          if (partitions.length > 0) await admin.setOffsets({ groupId: group, topic, partitions });
          const unset = Object.keys(previous).length - partitions.length;
          return {
            summary: `restored ${group} on ${topic} to its offsets before the reset${unset > 0 ? ` (${unset} partition(s) had no commit before and keep the reset offset)` : ''}`,
            details: { group, topic, ...Object.fromEntries(partitions.map((p) => [`p${p.partition}`, p.offset])) },
          };
        }),
      );
    },
  };
}

/** Checkpoint of the pause: the bindings this step has added so far. */
interface PauseCheckpoint {
  stepKey: string;
  added: AclBinding[];
}

async function pauseGroup(deps: KafkaActionDeps, input: GenericActionInput<KafkaPauseConsumerGroupParams>): Promise<GenericActionResult> {
  const { group, principals } = input.params;
  const { description, topics } = await withAdmin(deps, async (admin) => {
    const description = await describeGroup(admin, group);
    const topics = input.params.topics ?? (await admin.fetchOffsets({ groupId: group })).map((t) => t.topic).sort();
    return { description, topics };
  });
  if (topics.length === 0) throw new ActionRefused('ConsumerGroupHasNoTopics', `topics: group ${group} has no committed offsets (state ${description.state}); name the topics to deny`);
  const wanted = principals.flatMap((p) => [denyRead(p, 'GROUP', group), ...topics.map((t) => denyRead(p, 'TOPIC', t))]);
  const acls = createAclAdmin(deps.kafka, { clientId: 'breachline-actions', logger: deps.logger });
  try {
    const existing = (await Promise.all(principals.map((p) => acls.bindingsOf(p)))).flat();
    const prev = previousCheckpoint() as Partial<PauseCheckpoint> | undefined;
    const addedBefore = prev?.stepKey === input.stepKey && Array.isArray(prev.added) ? prev.added.filter(isBinding) : [];
    const toAdd = wanted.filter((w) => !existing.some((e) => sameBinding(e, w)));
    const added = [...addedBefore.filter((b) => wanted.some((w) => sameBinding(w, b))), ...toAdd.filter((b) => !addedBefore.some((a) => sameBinding(a, b)))];
    // Checkpoint first: if the create lands and the worker dies, the retry still knows they are ours.
    checkpoint({ stepKey: input.stepKey, added } satisfies PauseCheckpoint);
    if (toAdd.length > 0) await acls.create(toAdd);
    return {
      summary: `paused consumer group ${group} (${description.state}, ${description.members.length} member(s)): ${principals.join(', ')} denied READ on the group and ${topics.join(', ')}`,
      details: { group, state: description.state, members: description.members.length, memberClients: memberList(description), topics: topics.join(','), addedBindings: added.length },
      compensation: { group, addedBindings: added },
    };
  } finally {
    await acls.close();
  }
}

async function mustBeEmpty(admin: Admin, group: string): Promise<void> {
  const g = await describeGroup(admin, group);
  if (g.state === 'Dead') throw new ActionRefused('ConsumerGroupUnknown', `group: ${group} does not exist (state Dead)`);
  if (g.state !== 'Empty') {
    throw new ActionRefused(
      'ConsumerGroupNotEmpty',
      `group: ${group} is ${g.state} with ${g.members.length} member(s) (${memberList(g)}); offsets can only be reset on an Empty group: stop its consumers or pause it with kafka.pause-consumer-group first`,
    );
  }
}

/** Checkpoint of the reset: the offsets from before it. */
interface ResetCheckpoint {
  stepKey: string;
  previous: Record<string, string>;
}

async function targetOffsets(admin: Admin, p: KafkaResetOffsetsParams): Promise<Record<string, string>> {
  const bounds = await admin.fetchTopicOffsets(p.topic);
  if (p.timestamp !== undefined) {
    const ms = Date.parse(p.timestamp);
    if (Number.isNaN(ms)) throw new ActionRefused('InvalidParameter', `timestamp: ${p.timestamp} is not an ISO 8601 instant`);
    return Object.fromEntries((await admin.fetchTopicOffsetsByTimestamp(p.topic, ms)).map((o) => [String(o.partition), o.offset]));
  }
  const out: Record<string, string> = {};
  for (const [part, offset] of Object.entries(p.offsets ?? {})) {
    const b = bounds.find((x) => String(x.partition) === part);
    if (!b) throw new ActionRefused('InvalidParameter', `offsets.${part}: ${p.topic} has no partition ${part}`);
    if (BigInt(offset) < BigInt(b.low) || BigInt(offset) > BigInt(b.high)) throw new ActionRefused('InvalidParameter', `offsets.${part}: ${offset} is outside the log of ${p.topic}-${part} (${b.low}..${b.high})`);
    out[part] = offset;
  }
  return out;
}

async function resetOffsets(admin: Admin, input: GenericActionInput<KafkaResetOffsetsParams>): Promise<GenericActionResult> {
  const { group, topic } = input.params;
  if ((input.params.timestamp === undefined) === (input.params.offsets === undefined)) throw new ActionRefused('InvalidParameter', 'timestamp/offsets: give exactly one of them');
  await mustBeEmpty(admin, group);
  const targets = await targetOffsets(admin, input.params);
  const prev = previousCheckpoint() as Partial<ResetCheckpoint> | undefined;
  const previous = prev?.stepKey === input.stepKey && prev.previous ? prev.previous : await committed(admin, group, topic);
  checkpoint({ stepKey: input.stepKey, previous } satisfies ResetCheckpoint);
  const partitions = Object.entries(targets).map(([p, offset]) => ({ partition: Number(p), offset }));
  await admin.setOffsets({ groupId: group, topic, partitions });
  const details: Record<string, string> = {};
  for (const { partition, offset } of partitions) details[`p${partition}`] = `${previous[String(partition)] ?? '-1'} → ${offset}`;
  const how = input.params.timestamp !== undefined ? `to ${input.params.timestamp}` : 'to the given offsets';
  return {
    summary: `rewound ${group} on ${topic} ${how} (${partitions.length} partition(s))`,
    details: { group, topic, ...details },
    compensation: { group, topic, previousOffsets: Object.fromEntries(partitions.map((p) => [String(p.partition), previous[String(p.partition)] ?? '-1'])) },
  };
}
