import { asyncLocalStorage } from '@temporalio/activity';
import { checkpoint } from './heartbeat';
import { ApplicationFailure } from '@temporalio/common';
import type { AclBinding, Actor, EventDataMap, PlannedChange, RunMode } from '../src/domain/events';
import type { BreakerRule } from '../src/domain/runbook';
import type { EventDraft, StepInput, StepOutput } from '../src/domain/step-contract';
import { bindingKey, OPERATION_NAMES } from '../src/kafka/acl-codes';
import { createAclAdmin, type AclPort } from '../src/kafka/acls';
import { probeConsume, probeProduce, type ProbeOutcome } from '../src/kafka/access-probe';
import { withCredentials, type KafkaConnection } from '../src/kafka/client';
import { createControlPublisher, type ControlEvent } from '../src/kafka/control-topic';
import type { Logger } from '../src/log/logger';
import type { SecretsPort } from '../src/vault/port';
import { accountOf, readServiceAccount } from '../src/vault/service-accounts';

/**
 * The `contain` and `break-circuits` steps (design §2) and their saga undos.
 *
 * contain: DENY bindings are created first and the principal's ALLOW bindings deleted second:
 * deny overrides allow on Kafka, so the principal is cut off by the first call, including through
 * ALLOWs it inherits from wildcard principals or prefixes that a delete of its own bindings would
 * miss. Then the principal's own credentials, read from Vault, must be refused a produce and a
 * consume on every topic it could reach.
 *
 * Idempotency and the removed bindings: before changing anything the activity heartbeats a
 * {@link ContainmentCheckpoint} holding exactly the ALLOWs it is about to delete and the DENYs it
 * is about to add. A retry (Temporal hands the last heartbeat to the next attempt) merges that
 * record with what it reads, so it repeats nothing and still reports every binding the first
 * attempt removed, even after a crash between the delete and the return. The heartbeat was chosen
 * over the workflow's `AccessRevoked` because a retry happens exactly when the workflow has not
 * received that event yet. Only DENYs that did not exist before are recorded as added, so the undo
 * never deletes a DENY someone else put there.
 */

/** Dependencies of {@link createContainmentActivities}. */
export interface ContainmentActivityDeps {
  /** Orchestrator connection: needs DESCRIBE/ALTER on the cluster, CREATE and WRITE on the control topic. */
  kafka: KafkaConnection;
  /** Reads the service accounts' credentials (for the verification probes). */
  secrets: SecretsPort;
  logger: Logger;
  now?: () => Date;
  /** Per-probe timeout. @default 3000 */
  probeTimeoutMs?: number;
  /** KV template of the service accounts. @default DEFAULT_SERVICE_ACCOUNT_PATH */
  serviceAccountPathTemplate?: string;
}

/** Heartbeat details of contain / openCircuits; JSON, no secrets. */
export interface ContainmentCheckpoint {
  stepKey: string;
  removedAllowBindings: AclBinding[];
  addedDenyBindings: AclBinding[];
  /** Breakers whose control event was published (openCircuits only). */
  published?: string[];
}

type AccessRevoked = EventDataMap['AccessRevoked'];
type CircuitOpened = EventDataMap['CircuitOpened'];

/** Input of the contain undo. */
export interface RestoreAccessInput {
  incidentId: string;
  stepId: string;
  stepKey: string;
  mode: RunMode;
  revoked: AccessRevoked;
}

/** Input of the break-circuits undo. */
export interface CloseCircuitsInput {
  incidentId: string;
  stepId: string;
  stepKey: string;
  mode: RunMode;
  opened: CircuitOpened[];
  approvalId: string;
  /** @default 'breachline.control' */
  controlTopic?: string;
}

const CONTAIN_ACTOR: Actor = { kind: 'system', id: 'activity:contain' };
const CIRCUITS_ACTOR: Actor = { kind: 'system', id: 'activity:break-circuits' };
const DEFAULT_CONTROL_TOPIC = 'breachline.control';
/** Probes per verification, so a principal with thousands of topic ACLs does not stall the step. */
const MAX_PROBED_TOPICS = 20;

/** The containment activities; see the module comment. */
export function createContainmentActivities(deps: ContainmentActivityDeps) {
  const now = (): string => (deps.now ?? (() => new Date()))().toISOString();

  /** Runs `work` with an ACL port, turning every failure into an ApplicationFailure with a type. */
  async function withAcls<T>(step: string, ids: { incidentId: string; stepId: string; stepKey: string }, work: (acls: AclPort, log: Logger) => Promise<T>): Promise<T> {
    const log = deps.logger.child({ incidentId: ids.incidentId, step: ids.stepId, stepKey: ids.stepKey });
    const acls = createAclAdmin(deps.kafka, { logger: log, clientId: `breachline-${step}` });
    try {
      return await work(acls, log);
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err;
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ reason: message }, `${step} failed`);
      throw ApplicationFailure.create({ type: 'KafkaAdminFailed', message: `${step}: ${message}`, nonRetryable: false });
    } finally {
      await acls.close();
    }
  }

  /** The principal's credentials as a connection, or a refusal when the account no longer exists. */
  async function connectionOf(principal: string): Promise<KafkaConnection> {
    let secret;
    try {
      ({ secret } = await readServiceAccount(deps.secrets, accountOf(principal), deps.serviceAccountPathTemplate));
    } catch (err) {
      // Without the principal's credentials nothing can be proven; Vault may come back, so retry.
      const reason = err instanceof Error ? err.message : String(err);
      throw ApplicationFailure.create({ type: 'CredentialsUnavailable', message: `cannot read the credentials of ${principal}: ${reason}`, nonRetryable: false });
    }
    const mechanism = secret.mechanism === 'PLAIN' ? 'plain' : secret.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512';
    return withCredentials(deps.kafka, secret.username, secret.password, mechanism);
  }

  const probeTarget = (connection: KafkaConnection) => ({ connection, timeoutMs: deps.probeTimeoutMs ?? 3000, clientId: 'breachline-verify' });

  return {
    /** `contain`: revoke the principal's access and prove it is refused. */
    async contain(input: StepInput<'contain'>): Promise<StepOutput<AccessRevoked>> {
      const principal = input.params.principal ?? input.principal;
      const denyOperations = validOperations(input.params.denyOperations);
      return withAcls('contain', input, async (acls, log) => {
        const current = await acls.bindingsOf(principal);
        const checkpoint = resume(input.stepKey);
        const removed = union(checkpoint?.removedAllowBindings ?? [], current.filter((b) => b.permission === 'ALLOW'));
        const wanted = denyBindings(principal, input.params.scope, removed, denyOperations);
        const present = new Set(current.map(bindingKey));
        const previouslyAdded = new Set((checkpoint?.addedDenyBindings ?? []).map(bindingKey));
        // A DENY that exists and was not ours stays out of the record, so the undo leaves it alone.
        const added = wanted.filter((b) => previouslyAdded.has(bindingKey(b)) || !present.has(bindingKey(b)));
        const toCreate = wanted.filter((b) => !present.has(bindingKey(b)));
        const toDelete = current.filter((b) => b.permission === 'ALLOW');

        if (input.mode === 'dry-run') {
          const changes = [...toCreate.map((b) => change('acl.create', b)), ...toDelete.map((b) => change('acl.delete', b))];
          return { events: [{ type: 'StepPlanned', at: now(), actor: CONTAIN_ACTOR, data: { stepId: input.stepId, action: 'contain', changes } }] };
        }

        heartbeat({ stepKey: input.stepKey, removedAllowBindings: removed, addedDenyBindings: added });
        await acls.create(toCreate);
        await acls.deleteExact(toDelete);
        log.info({ principal, removed: removed.length, added: added.length, created: toCreate.length, deleted: toDelete.length }, 'access revoked');

        let verified = false;
        if (input.params.verify) {
          await verifyRefused(principal, probeTopics([...removed, ...added, ...current]), log);
          verified = true;
        }
        const data: AccessRevoked = { principal, scope: input.params.scope, removedAllowBindings: removed, addedDenyBindings: added, verified };
        return { events: [{ type: 'AccessRevoked', at: now(), actor: CONTAIN_ACTOR, data }], result: data };
      });
    },

    /** Undo of `contain`: delete exactly the DENYs it added, re-create exactly the ALLOWs it removed. */
    async restoreAccess(input: RestoreAccessInput): Promise<StepOutput> {
      const { revoked } = input;
      if (input.mode === 'dry-run') {
        const changes = [...revoked.addedDenyBindings.map((b) => change('acl.delete', b)), ...revoked.removedAllowBindings.map((b) => change('acl.create', b))];
        return { events: [{ type: 'StepPlanned', at: now(), actor: CONTAIN_ACTOR, data: { stepId: input.stepId, action: 'contain', changes } }] };
      }
      return withAcls('restore-access', input, async (acls, log) => {
        // Both calls are exact and idempotent: a retry deletes nothing more and re-creates no duplicate.
        await acls.deleteExact(revoked.addedDenyBindings);
        await acls.create(revoked.removedAllowBindings);
        log.info({ principal: revoked.principal, restored: revoked.removedAllowBindings.length }, 'access restored');
        const undone = `restored ${revoked.removedAllowBindings.length} ALLOW and removed ${revoked.addedDenyBindings.length} DENY bindings of ${revoked.principal}`;
        return { events: [{ type: 'StepCompensated', at: now(), actor: CONTAIN_ACTOR, data: { stepId: input.stepId, action: 'contain', undone } }] };
      });
    },

    /** `break-circuits`: deny the downstream principals READ on each breaker's topic. */
    async openCircuits(input: StepInput<'break-circuits'> & { breakers: Record<string, BreakerRule> }): Promise<StepOutput<CircuitOpened[]>> {
      const rules = input.params.breakers.map((name) => {
        const rule = input.breakers[name];
        if (!rule) throw ApplicationFailure.create({ type: 'UnknownBreaker', message: `breaker ${name} is not defined in the runbook`, nonRetryable: true });
        return { name, rule };
      });
      const controlTopic = input.params.controlTopic || DEFAULT_CONTROL_TOPIC;
      return withAcls('open-circuits', input, async (acls, log) => {
        const checkpoint = resume(input.stepKey);
        const previouslyAdded = new Set((checkpoint?.addedDenyBindings ?? []).map(bindingKey));
        const principals = [...new Set(rules.flatMap(({ rule }) => rule.principals))];
        const present = new Set((await Promise.all(principals.map((p) => acls.bindingsOf(p)))).flat().map(bindingKey));
        const claimed = new Set<string>();
        const opened: CircuitOpened[] = rules.map(({ name, rule }) => {
          const wanted = rule.principals.map((p) => readDeny(p, rule.topic));
          // Two breakers cutting the same principal off the same topic share one binding: the first owns it.
          const added = wanted.filter((b) => !claimed.has(bindingKey(b)) && (previouslyAdded.has(bindingKey(b)) || !present.has(bindingKey(b))));
          for (const b of added) claimed.add(bindingKey(b));
          return { breaker: name, topic: rule.topic, principals: [...rule.principals], addedDenyBindings: added };
        });
        const toCreate = union([], rules.flatMap(({ rule }) => rule.principals.map((p) => readDeny(p, rule.topic)))).filter((b) => !present.has(bindingKey(b)));

        if (input.mode === 'dry-run') {
          const changes = [...toCreate.map((b) => change('acl.create', b)), ...opened.map((o) => controlChange(controlTopic, o.breaker, 'open'))];
          return { events: [{ type: 'StepPlanned', at: now(), actor: CIRCUITS_ACTOR, data: { stepId: input.stepId, action: 'break-circuits', changes } }] };
        }

        const published = new Set(checkpoint?.published ?? []);
        const record = (): void => heartbeat({ stepKey: input.stepKey, removedAllowBindings: [], addedDenyBindings: opened.flatMap((o) => o.addedDenyBindings), published: [...published] });
        record();
        await acls.create(toCreate);
        await publishControl(controlTopic, opened.filter((o) => !published.has(o.breaker)).map((o) => ({ breaker: o.breaker, state: 'open', incidentId: input.incidentId, at: now() })), log);
        for (const o of opened) published.add(o.breaker);
        record();
        await verifyReads(opened.flatMap((o) => o.principals.map((p) => ({ principal: p, topic: o.topic }))), 'refused', log);
        log.info({ breakers: opened.map((o) => o.breaker) }, 'circuits opened');
        return { events: opened.map((data) => ({ type: 'CircuitOpened', at: now(), actor: CIRCUITS_ACTOR, data })), result: opened };
      });
    },

    /** Undo of `break-circuits` (after approval): remove exactly the DENYs opening added. */
    async closeCircuits(input: CloseCircuitsInput): Promise<StepOutput> {
      const controlTopic = input.controlTopic ?? DEFAULT_CONTROL_TOPIC;
      const toDelete = union([], input.opened.flatMap((o) => o.addedDenyBindings));
      if (input.mode === 'dry-run') {
        const changes = [...toDelete.map((b) => change('acl.delete', b)), ...input.opened.map((o) => controlChange(controlTopic, o.breaker, 'closed'))];
        return { events: [{ type: 'StepPlanned', at: now(), actor: CIRCUITS_ACTOR, data: { stepId: input.stepId, action: 'break-circuits', changes } }] };
      }
      return withAcls('close-circuits', input, async (acls, log) => {
        await acls.deleteExact(toDelete);
        await publishControl(controlTopic, input.opened.map((o) => ({ breaker: o.breaker, state: 'closed', incidentId: input.incidentId, at: now() })), log);
        await verifyReads(input.opened.flatMap((o) => o.principals.map((p) => ({ principal: p, topic: o.topic }))), 'allowed', log);
        log.info({ breakers: input.opened.map((o) => o.breaker) }, 'circuits closed');
        const events: EventDraft[] = input.opened.map((o) => ({
          type: 'CircuitClosed',
          at: now(),
          actor: CIRCUITS_ACTOR,
          data: { breaker: o.breaker, topic: o.topic, principals: [...o.principals], approvalId: input.approvalId },
        }));
        return { events };
      });
    },
  };

  /** Produce and consume with the principal's own credentials must be refused on every topic. */
  async function verifyRefused(principal: string, topics: string[], log: Logger): Promise<void> {
    const target = probeTarget(await connectionOf(principal));
    const results = await Promise.all(
      topics.map(async (topic) => ({ topic, produce: await probeProduce(target, topic), consume: await probeConsume(target, topic) })),
    );
    const unreachable = results.flatMap((r) => [r.produce, r.consume]).find((o) => o.outcome === 'unreachable');
    const allowed = results.filter((r) => r.produce.outcome === 'allowed' || r.consume.outcome === 'allowed');
    log.info({ principal, probes: results.map((r) => ({ topic: r.topic, produce: describe(r.produce), consume: describe(r.consume) })) }, 'containment verified by probes');
    if (allowed.length > 0) {
      throw ApplicationFailure.create({
        type: 'AclVerificationFailed',
        message: `${principal} can still ${allowed.map((r) => `${r.produce.outcome === 'allowed' ? 'produce to' : 'consume from'} ${r.topic}`).join(', ')}`,
        nonRetryable: true,
      });
    }
    if (unreachable) throw ApplicationFailure.create({ type: 'VerificationUnreachable', message: `verification probe could not reach the broker: ${describe(unreachable)}`, nonRetryable: false });
    if (topics.length === 0) {
      throw ApplicationFailure.create({ type: 'AclVerificationFailed', message: `${principal} holds no topic bindings to verify against`, nonRetryable: true });
    }
  }

  /** Each principal's consume of its topic must end as `expected`. */
  async function verifyReads(pairs: Array<{ principal: string; topic: string }>, expected: 'refused' | 'allowed', log: Logger): Promise<void> {
    const results = await Promise.all(pairs.map(async (p) => ({ ...p, consume: await probeConsume(probeTarget(await connectionOf(p.principal)), p.topic) })));
    log.info({ expected, probes: results.map((r) => ({ principal: r.principal, topic: r.topic, consume: describe(r.consume) })) }, 'circuits verified by probes');
    const unreachable = results.find((r) => r.consume.outcome === 'unreachable');
    if (unreachable) throw ApplicationFailure.create({ type: 'VerificationUnreachable', message: `verification probe could not reach the broker: ${describe(unreachable.consume)}`, nonRetryable: false });
    const wrong = results.filter((r) => (expected === 'refused' ? r.consume.outcome !== 'denied' : r.consume.outcome !== 'allowed'));
    if (wrong.length > 0) {
      const what = wrong.map((r) => `${r.principal} on ${r.topic}: ${describe(r.consume)}`).join(', ');
      throw ApplicationFailure.create({
        type: expected === 'refused' ? 'AclVerificationFailed' : 'CircuitCloseVerificationFailed',
        message: expected === 'refused' ? `downstream consume still allowed: ${what}` : `downstream consume still refused after closing: ${what}`,
        nonRetryable: true,
      });
    }
  }

  async function publishControl(topic: string, events: ControlEvent[], log: Logger): Promise<void> {
    if (events.length === 0) return;
    const publisher = createControlPublisher(deps.kafka, { logger: log });
    try {
      await publisher.publish(topic, events);
    } finally {
      await publisher.close();
    }
  }
}

/** The DENY bindings `contain` wants for the principal. */
export function denyBindings(principal: string, scope: 'resources' | 'cluster', allows: readonly AclBinding[], operations: readonly string[]): AclBinding[] {
  const resources: Array<Pick<AclBinding, 'resourceType' | 'resourceName' | 'patternType'>> =
    scope === 'cluster'
      ? [
          { resourceType: 'TOPIC', resourceName: '*', patternType: 'LITERAL' },
          { resourceType: 'GROUP', resourceName: '*', patternType: 'LITERAL' },
        ]
      : allows.map(({ resourceType, resourceName, patternType }) => ({ resourceType, resourceName, patternType }));
  // Host `*`: an attacker who moves to another machine must be refused as well.
  const out = resources.flatMap((r) => operations.map((operation): AclBinding => ({ ...r, principal, host: '*', operation, permission: 'DENY' })));
  return union([], out);
}

function readDeny(principal: string, topic: string): AclBinding {
  return { resourceType: 'TOPIC', resourceName: topic, patternType: 'LITERAL', principal, host: '*', operation: 'READ', permission: 'DENY' };
}

/**
 * Topics to probe: every topic the principal held a binding on (removed ALLOWs first, then the
 * DENYs, which a run without a checkpoint finds already in place).
 */
function probeTopics(bindings: readonly AclBinding[]): string[] {
  const topics = bindings.filter((b) => b.resourceType === 'TOPIC').map((b) => b.resourceName);
  return [...new Set(topics)].slice(0, MAX_PROBED_TOPICS);
}

function validOperations(ops: readonly string[]): string[] {
  const bad = ops.filter((o) => !OPERATION_NAMES.includes(o));
  if (bad.length > 0 || ops.length === 0) {
    throw ApplicationFailure.create({ type: 'InvalidStepParams', message: `denyOperations must be Kafka operations, got ${JSON.stringify(ops)}`, nonRetryable: true });
  }
  return [...new Set(ops)];
}

/** `a` then every binding of `b` not already in it. */
function union(a: readonly AclBinding[], b: readonly AclBinding[]): AclBinding[] {
  const seen = new Set(a.map(bindingKey));
  const out = [...a];
  for (const x of b) {
    if (seen.has(bindingKey(x))) continue;
    seen.add(bindingKey(x));
    out.push(x);
  }
  return out;
}

function change(kind: 'acl.create' | 'acl.delete', b: AclBinding): PlannedChange {
  const verb = kind === 'acl.create' ? 'add' : 'remove';
  return {
    kind,
    target: `${b.resourceType}:${b.resourceName}`,
    description: `${verb} ${b.permission} ${b.operation} for ${b.principal} from host ${b.host} on ${b.patternType} ${b.resourceType} ${b.resourceName}`,
  };
}

function controlChange(topic: string, breaker: string, state: 'open' | 'closed'): PlannedChange {
  return { kind: 'kafka.produce', target: `TOPIC:${topic}`, description: `publish ${state} for breaker ${breaker}` };
}

function describe(o: ProbeOutcome): string {
  return o.outcome === 'allowed' ? 'allowed' : `${o.outcome} (${o.reason})`;
}

/** Records a checkpoint when running as an activity; plain calls (scripts, benches) skip it. */
function heartbeat(details: ContainmentCheckpoint): void {
  checkpoint(details);
}

/** The previous attempt's checkpoint, if it belongs to this step and has the expected shape. */
function resume(stepKey: string): ContainmentCheckpoint | undefined {
  const details: unknown = asyncLocalStorage.getStore()?.info.heartbeatDetails;
  if (!details || typeof details !== 'object') return undefined;
  const d = details as Partial<ContainmentCheckpoint>;
  if (d.stepKey !== stepKey || !Array.isArray(d.removedAllowBindings) || !Array.isArray(d.addedDenyBindings)) return undefined;
  return {
    stepKey,
    removedAllowBindings: d.removedAllowBindings,
    addedDenyBindings: d.addedDenyBindings,
    ...(Array.isArray(d.published) ? { published: d.published.filter((x): x is string => typeof x === 'string') } : {}),
  };
}
