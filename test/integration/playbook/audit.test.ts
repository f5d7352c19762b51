import { execFile } from 'node:child_process';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditActivities } from '../../../activities/audit';
import { projectIncident, readAuditRecords, verifyAuditRecords, type AuditRecord } from '../../../src/audit';
import { buildProgram } from '../../../src/cli/program';
import type { DomainEvent } from '../../../src/domain/events';
import { foldEvents, timeline } from '../../../src/domain/incident';
import { ScramAdmin } from '../../../src/kafka/scram-admin';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { fullHistory } from '../../unit/domain/history';

/*
 * The audit topic against the Kafka sandbox with kafkajs over real sockets: creation with its
 * immutable configs and ACLs, idempotent appends across retries and fresh processes, verify on a
 * clean and on tampered topics, the timeline projection, and the CLI as a child process.
 */

const TOPIC = 'breachline.audit';
const ROOT = path.resolve(__dirname, '../../..');
let kafka: RunningKafkaSandbox;
let admin: Kafka;
const A = fullHistory('inc-a').events;
const B = fullHistory('inc-b').events;

function asUser(username: string, password: string): Kafka {
  return new Kafka({
    clientId: 'audit-test',
    brokers: [...kafka.connection.brokers],
    sasl: { mechanism: 'scram-sha-512', username, password } as SASLOptions,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
}

beforeAll(async () => {
  kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  admin = asUser(kafka.connection.username, kafka.connection.password);
});
afterAll(async () => {
  await kafka?.close();
});

/** A fresh activity set: a new writer with an empty tail cache, as in a freshly started worker. */
function freshWorker(topic = TOPIC) {
  const acts = createAuditActivities({ kafka: kafka.connection, auditTopic: topic, logger: silentLogger });
  const env = new MockActivityEnvironment();
  return {
    ensure: () => env.run(acts.ensureAuditTopic) as Promise<void>,
    append: (events: DomainEvent[]) => env.run(acts.appendAudit, { events }) as Promise<{ appended: number; skipped: number }>,
  };
}

/** Produces raw values to a topic as the super user (how an attacker with admin rights would). */
async function produceRaw(topic: string, records: Array<{ key: string | null; value: string }>): Promise<void> {
  const producer = admin.producer();
  await producer.connect();
  await producer.send({ topic, messages: records.map((r) => ({ key: r.key, value: r.value })) });
  await producer.disconnect();
}

async function copyTopic(topic: string, records: AuditRecord[]): Promise<void> {
  await freshWorker(topic).ensure();
  await produceRaw(topic, records.map((r) => ({ key: r.key, value: typeof r.value === 'string' ? r.value : JSON.stringify(r.value) })));
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a child process: `bin/breachline` once the lead has wired the command, else the same command tree through tsx. */
function cli(args: string[]): Promise<CliResult> {
  const wired = buildProgram().commands.some((c) => c.name() === 'audit');
  const entry = wired
    ? [path.join(ROOT, 'bin', 'breachline'), ...args]
    : [
        '-e',
        "require('tsx/cjs/api').register(); const { Command } = require('commander'); const { registerAuditCommands } = require('./src/cli/commands/audit.ts'); const p = new Command('breachline'); registerAuditCommands(p); p.parseAsync(process.argv.slice(1), { from: 'user' }).catch((e) => { process.stderr.write('breachline: ' + e.message + '\\n'); process.exitCode = 1; });",
        '--',
        ...args,
      ];
  const env = {
    ...process.env,
    BREACHLINE_CONFIG_FILE: '',
    BREACHLINE_KAFKA_BROKERS: kafka.connection.brokers.join(','),
    BREACHLINE_KAFKA_USERNAME: kafka.connection.username,
    BREACHLINE_KAFKA_PASSWORD: kafka.connection.password,
    BREACHLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, entry, { cwd: ROOT, env, timeout: 45_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the audit topic', () => {
  it('is created once, immutable: retention forever, DELETE/ALTER/ALTER_CONFIGS denied to everyone', async () => {
    const worker = freshWorker();
    await worker.ensure();
    await worker.ensure();
    const a = admin.admin();
    await a.connect();
    const offsets = await a.fetchTopicOffsets(TOPIC);
    const cfg = await a.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['retention.ms', 'cleanup.policy'] }] });
    const acls = await a.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: TOPIC,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    expect(offsets).toHaveLength(1);
    expect(Object.fromEntries(cfg.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]) ?? [])).toEqual({ 'retention.ms': '-1', 'cleanup.policy': 'delete' });
    const opName = (op: number): string => Object.entries(AclOperationTypes).find(([, v]) => v === op)?.[0] ?? String(op);
    const bindings = acls.resources.flatMap((r) => r.acls.map((x) => `${x.permissionType === AclPermissionTypes.DENY ? 'DENY' : 'ALLOW'} ${x.principal} ${opName(x.operation)}`));
    expect(bindings.sort()).toEqual(['ALLOW User:admin WRITE', 'DENY User:* ALTER', 'DENY User:* ALTER_CONFIGS', 'DENY User:* DELETE']);

    // Even a principal granted ALL on the topic cannot delete it or shorten its retention.
    const scram = new ScramAdmin({ brokers: [...kafka.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } });
    await scram.upsert([{ user: 'ops-bob', mechanism: 'SCRAM-SHA-512', password: 'bob-password-1', iterations: 4096 }]);
    await scram.close();
    await a.createAcls({
      acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: TOPIC, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:ops-bob', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW }],
    });
    await a.disconnect();
    const bob = asUser('ops-bob', 'bob-password-1').admin();
    await bob.connect();
    await expect(bob.deleteTopics({ topics: [TOPIC] })).rejects.toThrow();
    await expect(bob.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '1000' }] }] })).rejects.toThrow();
    await bob.disconnect();
  });

  it('appends each event exactly once across retries and fresh processes, and refuses gaps', async () => {
    const first = freshWorker();
    expect(await first.append(A.slice(0, 6))).toEqual({ appended: 6, skipped: 0 });
    expect(await first.append(A)).toEqual({ appended: A.length - 6, skipped: 6 });
    expect(await first.append(A)).toEqual({ appended: 0, skipped: A.length });

    // A freshly started worker knows nothing and finds the tail on the topic.
    const second = freshWorker();
    expect(await second.append(A.slice(3, 9))).toEqual({ appended: 0, skipped: 6 });
    expect(await second.append(B.slice(0, 4))).toEqual({ appended: 4, skipped: 0 });
    expect(await first.append(B)).toEqual({ appended: B.length - 4, skipped: 4 });

    // inc-a's chain ends with IncidentClosed: nothing may follow it, not even after a gap.
    const closed = await second.append([{ ...(A[0] as DomainEvent), seq: A.length + 2 }]).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ApplicationFailure);
    expect(closed).toMatchObject({ type: 'AuditChainClosed', nonRetryable: true });
    const gap = await second.append([{ ...(A[0] as DomainEvent), incidentId: 'inc-gap', seq: 2 }]).catch((e: unknown) => e);
    expect(gap).toMatchObject({ type: 'AuditSequenceGap', nonRetryable: true });

    const records = await readAuditRecords(admin, TOPIC);
    expect(records).toHaveLength(A.length + B.length);
    expect(verifyAuditRecords(records)).toMatchObject({ ok: true, records: A.length + B.length });
  });

  it('rebuilds the incident timeline and state from the topic alone', async () => {
    const records = await readAuditRecords(admin, TOPIC);
    const projection = projectIncident(records, 'inc-a');
    expect(projection?.timeline).toEqual(timeline(A));
    expect(projection?.state).toEqual(foldEvents(A));
    expect(projectIncident(records, 'inc-b')?.events).toEqual(B);
    expect(projectIncident(records, 'inc-none')).toBeUndefined();
  });

  it('detects a flipped field, a deleted record and a forged append, naming the first broken record', async () => {
    const records = await readAuditRecords(admin, TOPIC);

    const flipped = records.map((r, i) => (i === 5 ? { ...r, value: { ...(r.value as object), at: '2026-11-20T07:00:00.000Z' } } : r));
    await copyTopic('audit.flipped', flipped);
    expect(verifyAuditRecords(await readAuditRecords(admin, 'audit.flipped'))).toMatchObject({ ok: false, index: 5, reason: 'tampered', incidentId: 'inc-a', seq: 6 });

    await copyTopic('audit.deleted', records.filter((_, i) => i !== 7));
    expect(verifyAuditRecords(await readAuditRecords(admin, 'audit.deleted'))).toMatchObject({ ok: false, index: 7, reason: 'gap', incidentId: 'inc-a', seq: 9 });

    // Reordering two records of one incident.
    const swapped = [...records];
    [swapped[3], swapped[4]] = [swapped[4] as AuditRecord, swapped[3] as AuditRecord];
    await copyTopic('audit.swapped', swapped);
    expect(verifyAuditRecords(await readAuditRecords(admin, 'audit.swapped'))).toMatchObject({ ok: false, index: 3, reason: 'reorder' });
  });

  it('CLI: audit verify and incident timeline read the topic alone; verify exits 1 once a forged record lands', async () => {
    const ok = await cli(['audit', 'verify', '--topic', TOPIC, '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, records: A.length + B.length });

    const human = await cli(['audit', 'verify', '--topic', TOPIC]);
    expect(human.stdout).toContain('every chain intact');

    const tl = await cli(['incident', 'timeline', 'inc-b', '--topic', TOPIC, '--json']);
    expect(tl.code).toBe(0);
    expect(JSON.parse(tl.stdout)).toMatchObject({ incidentId: 'inc-b', timeline: timeline(B) });

    const text = await cli(['incident', 'timeline', 'inc-a', '--topic', TOPIC]);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toHaveLength(A.length + 1);

    // A super user appends a modified copy of inc-a's seq 3: its content no longer matches its hash.
    const records = await readAuditRecords(admin, TOPIC, { incidentId: 'inc-a' });
    const forged = { ...(records[2]?.value as object), at: '2026-11-20T09:30:00.000Z' };
    await produceRaw(TOPIC, [{ key: 'inc-a', value: JSON.stringify(forged) }]);

    const broken = await cli(['audit', 'verify', '--topic', TOPIC, '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, index: A.length + B.length, reason: 'tampered', incidentId: 'inc-a', seq: 3 });

    const onlyB = await cli(['audit', 'verify', '--topic', TOPIC, '--incident', 'inc-b']);
    expect(onlyB.code).toBe(0);

    const refused = await cli(['incident', 'timeline', 'inc-a', '--topic', TOPIC]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('audit chain broken');
  });
});
