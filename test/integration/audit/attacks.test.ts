import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, ResourcePatternTypes, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAuditActivities } from '../../../activities/audit';
import { ensureImmutableTopic, readAuditRecords, readIncidentEvents } from '../../../src/audit';
import { silentLogger } from '../../../src/log/logger';
import { hashEvent } from '../../../src/domain/audit-chain';
import type { DomainEvent } from '../../../src/domain/events';
import { ScramAdmin } from '../../../src/kafka/scram-admin';
import { ManualClock, start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { fullHistory } from '../../unit/domain/history';
import { auditWorker, kafkaAs, produceRaw, runCli } from './helpers';

/*
 * Attacks on the audit trail as someone with admin (super-user) rights on Kafka would make them,
 * with the real kafkajs client against the Kafka sandbox and the signing key and anchor in the
 * Vault sandbox. Every attack must make `breachline audit verify` exit 1 and say why; the
 * untouched and the legitimately re-opened topics must pass.
 */

let kafka: RunningKafkaSandbox;
let vault: RunningVaultSandbox;
let admin: Kafka;
const clock = new ManualClock();

beforeAll(async () => {
  kafka = await startKafka({ port: 0, clock, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  vault = await startVault();
  admin = kafkaAs(kafka, kafka.connection.username, kafka.connection.password);
});
afterAll(async () => {
  await kafka?.close();
  await vault?.close();
});

/** A topic holding incident `id`'s events, appended by the writer in three batches (three checkpoints). */
async function seeded(topic: string, id: string, upTo?: number): Promise<DomainEvent[]> {
  const events = fullHistory(id).events.slice(0, upTo);
  const worker = auditWorker(kafka, vault, topic);
  await worker.ensure();
  const third = Math.ceil(events.length / 3);
  for (let i = 0; i < events.length; i += third) await worker.append(events.slice(0, i + third));
  return events;
}

const verify = (topic: string, ...extra: string[]) => runCli(['audit', 'verify', '--topic', topic, ...extra], kafka, vault);

async function withAdmin<T>(fn: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const a = admin.admin();
  await a.connect();
  try {
    return await fn(a);
  } finally {
    await a.disconnect();
  }
}

describe('audit trail attacks', () => {
  it('an untouched topic verifies, signed and anchored; the public key verifies offline too', async () => {
    const events = await seeded('audit.clean', 'inc-clean');
    const run = await verify('audit.clean', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      ok: true,
      checked: { chains: true, signatures: true, coverage: true, retention: true, logStart: true, anchor: true },
      incidents: { 'inc-clean': { lastSeq: events.length, closed: true, checkpoints: 3, signedThroughSeq: events.length, ok: true } },
    });

    const dir = await mkdtemp(path.join(tmpdir(), 'audit-key-'));
    const keyFile = path.join(dir, 'audit.pub.json');
    expect((await runCli(['audit', 'public-key', '--out', keyFile], kafka, vault)).code).toBe(0);
    const pemFile = path.join(dir, 'audit.pem');
    expect((await runCli(['audit', 'public-key', '--pem', '--out', pemFile], kafka, vault)).code).toBe(0);
    for (const file of [keyFile, pemFile]) {
      const offline = await runCli(['audit', 'verify', '--topic', 'audit.clean', '--public-key', file], kafka, undefined);
      expect(offline.stdout).toContain('every chain intact, every record signed');
      expect(offline.stdout).toContain('not checked: anchor');
      expect(offline.code).toBe(0);
    }
    // A key that is not Vault's: every checkpoint fails its signature.
    const { generateKeyPairSync } = await import('node:crypto');
    const other = path.join(dir, 'other.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const wrongKey = await runCli(['audit', 'verify', '--topic', 'audit.clean', '--public-key', other], kafka, undefined);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/FAILED signature: checkpoint at offset \d+ \(incident inc-clean, seq \d+\): bad signature/);
  });

  it('a forged record with a correctly recomputed sha256 fails verify, named by offset; the real event then meets it as AuditConflict', async () => {
    const events = await seeded('audit.forged', 'inc-forged', 8);
    const real = fullHistory('inc-forged').events[8] as DomainEvent;
    const records = await readAuditRecords(admin, 'audit.forged', { incidentId: 'inc-forged' });
    const last = [...records].reverse().find((r) => (r.value as { seq?: number }).seq === events.length);
    const prevHash = (last?.value as { hash: string }).hash;
    const forged = { ...real, data: { ...(real.data as object), note: 'nothing happened here' } } as unknown as DomainEvent;
    const sealed = { ...forged, prevHash, hash: hashEvent(forged, prevHash) };
    await produceRaw(admin, 'audit.forged', [{ key: 'inc-forged', value: JSON.stringify(sealed) }]);
    const forgedOffset = (await readAuditRecords(admin, 'audit.forged')).at(-1)?.offset;

    const run = await verify('audit.forged');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAILED unsigned-tail: record at offset ${forgedOffset} (incident inc-forged, seq ${real.seq}) is not covered by any signed checkpoint`);

    // Seq collision with different content: refused, named, and nothing written or skipped.
    const before = (await readAuditRecords(admin, 'audit.forged')).length;
    const conflict = await auditWorker(kafka, vault, 'audit.forged')
      .append([...events, real])
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ApplicationFailure);
    expect(conflict).toMatchObject({ type: 'AuditConflict', nonRetryable: true, details: [{ incidentId: 'inc-forged', seq: real.seq, offset: forgedOffset }] });
    expect((conflict as Error).message).toContain(`seq ${real.seq} is already on the topic at offset ${forgedOffset} with different content`);
    expect(await readAuditRecords(admin, 'audit.forged')).toHaveLength(before);
    // The writer did not sign the forged head either.
    expect((await verify('audit.forged')).code).toBe(1);
  });

  it('truncation by retention fails verify, even after retention is set back to -1', async () => {
    await seeded('audit.retention', 'inc-ret');
    // A super user bypasses the DENY on ALTER_CONFIGS.
    await withAdmin((a) => a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'audit.retention', configEntries: [{ name: 'retention.ms', value: '1000' }, { name: 'cleanup.policy', value: 'delete' }] }] }));
    clock.advance(3_600_000);
    const run = await verify('audit.retention');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED retention: retention.ms is 1000, must be -1');
    expect(run.stdout).toMatch(/FAILED truncated: the log starts at offset [1-9]\d*, not 0 \(first checkpoint anchored at offset \d+\)/);

    await withAdmin((a) => a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'audit.retention', configEntries: [{ name: 'retention.ms', value: '-1' }, { name: 'retention.bytes', value: '-1' }, { name: 'cleanup.policy', value: 'delete' }] }] }));
    const after = await verify('audit.retention');
    expect(after.code).toBe(1);
    expect(after.stdout).not.toContain('FAILED retention');
    expect(after.stdout).toContain('FAILED truncated');
    expect(after.stdout).toContain('FAILED anchor');
  });

  it('truncation by DeleteRecords fails verify', async () => {
    await seeded('audit.deleterecords', 'inc-dr');
    await withAdmin(async (a) => {
      await a.fetchTopicMetadata({ topics: ['audit.deleterecords'] });
      await a.deleteTopicRecords({ topic: 'audit.deleterecords', partitions: [{ partition: 0, offset: '3' }] });
    });
    const run = await verify('audit.deleterecords', '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; failures: Array<{ check: string; message: string }> };
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ check: 'truncated', message: expect.stringContaining('the log starts at offset 3, not 0') }));
  });

  it('a deleted and recreated topic fails verify against the anchor, empty or refilled', async () => {
    await seeded('audit.recreated', 'inc-rec');
    await withAdmin((a) => a.deleteTopics({ topics: ['audit.recreated'] }));
    await auditWorker(kafka, vault, 'audit.recreated').ensure();
    const empty = await verify('audit.recreated');
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/FAILED anchor: the topic ends at offset -1, before the anchored checkpoint at offset \d+/);

    // Refilled with a fresh, validly signed incident by the writer itself: still not the anchored history.
    await seeded('audit.recreated', 'inc-other');
    const refilled = await verify('audit.recreated');
    expect(refilled.code).toBe(1);
    expect(refilled.stdout).toMatch(/FAILED anchor: (offset \d+ does not hold the anchored checkpoint|the topic ends at offset \d+, before the anchored checkpoint)/);
  });

  it('a junk record from a principal granted WRITE by mistake fails verify and names its offset', async () => {
    await seeded('audit.junk', 'inc-junk', 6);
    const scram = new ScramAdmin({ brokers: [...kafka.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } });
    await scram.upsert([{ user: 'mallory', mechanism: 'SCRAM-SHA-512', password: 'mallory-password-1', iterations: 4096 }]);
    await scram.close();
    await withAdmin((a) =>
      a.createAcls({
        acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'audit.junk', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:mallory', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW }],
      }),
    );
    // Ensure (at every worker start) names the mistaken writer.
    const state = await withAdmin((a) => ensureImmutableTopic(a, { topic: 'audit.junk', partitions: 1, writer: 'User:admin' }));
    expect(state.foreignWriters).toEqual(['User:mallory']);
    await produceRaw(kafkaAs(kafka, 'mallory', 'mallory-password-1'), 'audit.junk', [{ key: null, value: 'rm -rf evidence' }]);
    const junkOffset = (await readAuditRecords(admin, 'audit.junk')).at(-1)?.offset;
    const run = await verify('audit.junk');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAILED chain: malformed at offset ${junkOffset}: record`);
    expect(run.stdout).toContain('is not a sealed event');
  });

  it('a re-opened incident after close gets its own chain: both complete on the topic, verify passes; the closed chain refuses more', async () => {
    const first = await seeded('audit.reopen', 'incident-fp');
    const worker = auditWorker(kafka, vault, 'audit.reopen');
    const late = { ...(fullHistory('incident-fp').events[1] as DomainEvent), seq: first.length + 1 };
    const refused = await worker.append([late]).catch((e: unknown) => e);
    expect(refused).toMatchObject({ type: 'AuditChainClosed', nonRetryable: true });

    const second = fullHistory('incident-fp.2').events;
    expect(await worker.append(second)).toMatchObject({ appended: second.length, skipped: 0, checkpoints: 1 });
    const run = await verify('audit.reopen', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      incidents: {
        'incident-fp': { lastSeq: first.length, closed: true, signedThroughSeq: first.length, ok: true },
        'incident-fp.2': { lastSeq: second.length, closed: true, signedThroughSeq: second.length, ok: true },
      },
    });
    const human = await verify('audit.reopen', '--incident', 'incident-fp.2');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/ # {2}1 {2}IncidentOpened/);
  });

  it('a writer that crashed between its events and their checkpoint: the retry finds the events, skips them and signs them', async () => {
    const events = fullHistory('inc-crash').events.slice(0, 5);
    // Events on the topic without a checkpoint: what a crash between the two produces leaves.
    const signing = auditWorker(kafka, vault, 'audit.crash');
    await signing.ensure();
    const unsigned = createAuditActivities({ kafka: kafka.connection, auditTopic: 'audit.crash', logger: silentLogger });
    await new MockActivityEnvironment().run(unsigned.appendAudit, { events });
    const before = await verify('audit.crash');
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/FAILED unsigned-tail: record at offset 0 \(incident inc-crash, seq 1\)/);

    expect(await signing.append(events)).toEqual({ appended: 0, skipped: 5, checkpoints: 1 });
    const after = await verify('audit.crash', '--json');
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, incidents: { 'inc-crash': { signedThroughSeq: 5 } } });
    expect(after.code).toBe(0);
    expect(await readIncidentEvents(admin, 'audit.crash', 'inc-crash')).toEqual(events);
  });
});
