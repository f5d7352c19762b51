import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import nodeVault from 'node-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRotationActivities, type RotationActivityDeps, type RotationCheckpoint } from '../../../activities/rotation';
import { join } from 'node:path';
import { planSteps, plannedStepOf, type ActionParams } from '../../../src/domain/runbook';
import { loadRunbookFile } from '../../../src/domain/runbook-loader';
import type { StepInput, StepOutput } from '../../../src/domain/step-contract';
import { stageVaultVersion } from '../../../src/kafka/account-rotation';
import { ScramAdmin, type ScramMechanism } from '../../../src/kafka/scram-admin';
import { silentLogger } from '../../../src/log/logger';
import { ApiKey, start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { seedTradingExfiltration, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault';
import { serviceAccountPath } from '../../../src/vault/service-accounts';

/*
 * The rotate-credentials activity against the Kafka and Vault sandboxes, with kafkajs, node-vault
 * and ScramAdmin over real sockets. The first block runs the runbook's step on the seeded
 * trading-exfiltration scenario; the others seed their own accounts (a unique prefix each), so
 * they do not depend on each other's rotations.
 */

const TEMPLATE = 'kafka/service-accounts/{account}';
let kafka: RunningKafkaSandbox;
let vault: RunningVaultSandbox;
let secrets: SecretsPort;
let scram: ScramAdmin;
let root: ReturnType<typeof nodeVault>;

beforeAll(async () => {
  [kafka, vault] = await Promise.all([startKafka({ port: 0 }), startVault({ port: 0 })]);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  root = nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: vault.rootToken });
  scram = new ScramAdmin({ brokers: [...kafka.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } });
  await root.addPolicy({ name: 'service', rules: 'path "secret/data/shared/*" { capabilities = ["read"] }' });
});
afterAll(async () => {
  await scram?.close();
  await Promise.all([kafka?.close(), vault?.close()]);
});

interface Seeded {
  compromised: string;
  blast: string[];
  passwords: Record<string, string>;
  /** Tokens of the compromised service, and one of another service that must survive. */
  tokens: { theirs: string[]; bystander: string };
  roleId: string;
  secretIds: string[];
}

/** Accounts on the broker (SHA-256 and SHA-512) and in Vault, tokens and an AppRole for the compromised one. */
async function seed(prefix: string, options: { compromisedOnBroker?: boolean } = {}): Promise<Seeded> {
  const compromised = `${prefix}-report-exporter`;
  const blast = [`${prefix}-report-scheduler`, `${prefix}-invoice-renderer`, `${prefix}-export-gateway`];
  const passwords: Record<string, string> = {};
  for (const account of [compromised, ...blast]) {
    const password = `initial-${account}-pw`;
    passwords[account] = password;
    await secrets.writeSecret(serviceAccountPath(account, TEMPLATE), { username: account, password, mechanism: 'SCRAM-SHA-512' });
    if (account === compromised && options.compromisedOnBroker === false) continue;
    await scram.upsert([
      { user: account, mechanism: 'SCRAM-SHA-512', password, iterations: 4096 },
      { user: account, mechanism: 'SCRAM-SHA-256', password, iterations: 4096 },
    ]);
  }
  const byMeta = await secrets.createToken({ policies: ['service'], meta: { service: compromised } });
  const byName = await secrets.createToken({ policies: ['service'], displayName: `${compromised}-batch` });
  const bystander = await secrets.createToken({ policies: ['service'], meta: { service: blast[0] as string } });
  await root.addApproleRole({ role_name: compromised, policies: 'service' });
  const roleId = (await root.getApproleRoleId({ role_name: compromised })).data.role_id as string;
  const secretIds: string[] = [];
  for (let i = 0; i < 2; i++) secretIds.push((await root.getApproleRoleSecret({ role_name: compromised })).data.secret_id as string);
  // A token the service got by logging in with its AppRole (Vault tags it with `role_name`).
  const loggedIn = (await nodeVault({ endpoint: vault.address, apiVersion: 'v1' }).approleLogin({ role_id: roleId, secret_id: secretIds[0] })).auth.client_token as string;
  return { compromised, blast, passwords, tokens: { theirs: [byMeta.token, byName.token, loggedIn], bystander: bystander.token }, roleId, secretIds };
}

function stepInput(s: Seeded, overrides: Partial<ActionParams['rotate-credentials']> = {}, extra: Partial<StepInput<'rotate-credentials'>> = {}): StepInput<'rotate-credentials'> {
  return {
    incidentId: `inc-${s.compromised}`,
    stepId: 'rotate-credentials',
    stepKey: `inc-${s.compromised}/rotate-credentials`,
    mode: 'live',
    principal: `User:${s.compromised}`,
    params: {
      blastRadius: s.blast,
      vaultPathTemplate: TEMPLATE,
      mechanism: 'SCRAM-SHA-512',
      iterations: 4096,
      revokeVaultTokens: true,
      deleteCompromisedAccount: true,
      verify: true,
      ...overrides,
    },
    ...extra,
  };
}

function deps(overrides: Partial<RotationActivityDeps> = {}): RotationActivityDeps {
  return { kafka: kafka.connection, secrets, logger: silentLogger, verify: { timeoutMs: 2000, intervalMs: 50 }, ...overrides };
}

/** A kafkajs SASL login: `ok`, or the error's name. */
async function login(user: string, password: string, mechanism: ScramMechanism): Promise<string> {
  const sasl = { mechanism: mechanism.toLowerCase(), username: user, password } as SASLOptions;
  const admin = new Kafka({ clientId: 'rotation-test', brokers: [...kafka.connection.brokers], sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  } finally {
    await admin.disconnect();
  }
}

async function currentPassword(account: string): Promise<{ password: string; version: number; rotatedBy: unknown }> {
  const v = await secrets.readSecret(serviceAccountPath(account, TEMPLATE));
  return { password: v.data.password as string, version: v.version, rotatedBy: v.data.rotatedBy };
}

const ignore = (): void => undefined;
/** The SDK logs every failed activity; the failures here are expected. */
const quietTemporalLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Runs the activity in a mock activity context, collecting its heartbeats. */
async function runActivity(input: StepInput<'rotate-credentials'>, d = deps(), heartbeatDetails?: unknown): Promise<{ out?: StepOutput; err?: ApplicationFailure; heartbeats: RotationCheckpoint[] }> {
  const env = new MockActivityEnvironment(heartbeatDetails === undefined ? {} : { heartbeatDetails }, { logger: quietTemporalLogger });
  const heartbeats: RotationCheckpoint[] = [];
  env.on('heartbeat', (details: RotationCheckpoint) => heartbeats.push(details));
  try {
    const out = (await env.run(createRotationActivities(d).rotateCredentials, input)) as StepOutput;
    return { out, heartbeats };
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    return { err, heartbeats };
  }
}

const vaultLogin = (roleId: string, secretId: string): Promise<unknown> =>
  nodeVault({ endpoint: vault.address, apiVersion: 'v1' }).approleLogin({ role_id: roleId, secret_id: secretId });

describe('rotateCredentials on the trading-exfiltration scenario, with the runbook’s parameters', () => {
  let scenario: TradingScenario;
  let params: ActionParams['rotate-credentials'];
  let extraSecretId: string;

  beforeAll(async () => {
    scenario = await seedTradingExfiltration({ kafka: kafka.connection, secrets, vault: { address: vault.address, token: vault.rootToken } });
    // The seeder keeps secret ids to itself; one more whose value we hold proves login stops working.
    extraSecretId = (await root.getApproleRoleSecret({ role_name: scenario.compromised })).data.secret_id as string;
    const { runbook } = await loadRunbookFile(join(__dirname, '..', '..', '..', 'runbooks', 'kafka-exfiltration.yaml'));
    const step = plannedStepOf(planSteps(runbook), 'rotate-credentials');
    if (step === undefined) throw new Error('the runbook has no rotate-credentials step');
    params = step.params;
  }, 60_000);

  it('rotates the blast radius, locks report-exporter out of Kafka and Vault, and leaves everyone else alone', async () => {
    const { out, err } = await runActivity({
      incidentId: 'inc-trading',
      stepId: 'rotate-credentials',
      stepKey: 'inc-trading/rotate-credentials',
      mode: 'drill',
      principal: scenario.accounts[scenario.compromised]?.principal as string,
      params,
    });
    expect(err).toBeUndefined();
    expect(params.blastRadius).toEqual(['report-scheduler', 'invoice-renderer', 'export-gateway']);
    for (const account of params.blastRadius) {
      const seeded = scenario.accounts[account];
      const now = await currentPassword(account);
      expect(now.version).toBe(2);
      expect(await login(account, now.password, 'SCRAM-SHA-512')).toBe('ok');
      for (const m of ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const) expect(await login(account, seeded?.password as string, m)).toBe('KafkaJSSASLAuthenticationError');
    }
    const exporter = scenario.accounts[scenario.compromised]?.password as string;
    for (const m of ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const) expect(await login(scenario.compromised, exporter, m)).toBe('KafkaJSSASLAuthenticationError');
    for (const accessor of scenario.vault.tokenAccessors) await expect(secrets.lookupTokenByAccessor(accessor)).rejects.toMatchObject({ kind: 'not-found' });
    expect(await secrets.listSecretIdAccessors(scenario.compromised)).toEqual([]);
    await expect(vaultLogin(scenario.vault.approle?.roleId as string, extraSecretId)).rejects.toMatchObject({ response: { statusCode: 400 } });
    // Services outside the blast radius keep working.
    expect(await login('order-service', scenario.accounts['order-service']?.password as string, 'SCRAM-SHA-512')).toBe('ok');

    const revoked = (out?.events ?? []).flatMap((e) => (e.type === 'CredentialRevoked' ? [e.data] : []));
    expect(revoked.filter((r) => r.credential === 'vault-token').map((r) => r.reference).sort()).toEqual([...scenario.vault.tokenAccessors].sort());
    expect(revoked.filter((r) => r.credential === 'approle-secret-id')).toHaveLength(3);
    expect(revoked.filter((r) => r.credential === 'kafka-scram-user')).toEqual([{ account: 'report-exporter', credential: 'kafka-scram-user', reference: 'report-exporter' }]);
    expect((out?.events ?? []).filter((e) => e.type === 'CredentialRotated').map((e) => e.data)).toEqual(
      params.blastRadius.map((account) => expect.objectContaining({ account, mechanism: 'SCRAM-SHA-512', iterations: 8192, vaultVersion: 2, verified: true })),
    );
  });
});

describe('rotateCredentials (live)', () => {
  it.each(['SCRAM-SHA-512', 'SCRAM-SHA-256'] as ScramMechanism[])('%s: old passwords are refused, the new ones from Vault work, the compromised service is locked out', async (mechanism) => {
    const s = await seed(mechanism === 'SCRAM-SHA-512' ? 'live512' : 'live256');
    const other: ScramMechanism = mechanism === 'SCRAM-SHA-512' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
    const { out, err, heartbeats } = await runActivity(stepInput(s, { mechanism }));
    expect(err).toBeUndefined();
    // Progress is heartbeated account by account.
    expect(heartbeats.map((h) => h.done.filter((u) => s.blast.includes(u)).length)).toEqual(expect.arrayContaining([1, 2, 3]));

    for (const account of s.blast) {
      const now = await currentPassword(account);
      expect(now).toMatchObject({ version: 2, rotatedBy: `inc-${s.compromised}/rotate-credentials` });
      expect(now.password).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(await login(account, now.password, mechanism)).toBe('ok');
      // The other mechanism's credential is gone: neither password logs in with it.
      expect(await login(account, now.password, other)).toBe('KafkaJSSASLAuthenticationError');
      for (const m of [mechanism, other]) expect(await login(account, s.passwords[account] as string, m)).toBe('KafkaJSSASLAuthenticationError');
    }
    for (const m of [mechanism, other]) expect(await login(s.compromised, s.passwords[s.compromised] as string, m)).toBe('KafkaJSSASLAuthenticationError');
    // The compromised service's tokens and secret ids no longer work; another service's token does.
    for (const token of s.tokens.theirs) {
      await expect(nodeVault({ endpoint: vault.address, apiVersion: 'v1', token }).tokenLookupSelf()).rejects.toMatchObject({ response: { statusCode: 403 } });
    }
    await expect(nodeVault({ endpoint: vault.address, apiVersion: 'v1', token: s.tokens.bystander }).tokenLookupSelf()).resolves.toBeDefined();
    for (const secretId of s.secretIds) await expect(vaultLogin(s.roleId, secretId)).rejects.toMatchObject({ response: { statusCode: 400 } });

    const events = out?.events ?? [];
    expect(events.map((e) => e.type)).toEqual([...Array<string>(6).fill('CredentialRevoked'), 'CredentialRotated', 'CredentialRotated', 'CredentialRotated']);
    expect(events.filter((e) => e.type === 'CredentialRevoked').map((e) => e.data)).toEqual([
      { account: s.compromised, credential: 'kafka-scram-user', reference: s.compromised },
      expect.objectContaining({ credential: 'vault-token' }),
      expect.objectContaining({ credential: 'vault-token' }),
      expect.objectContaining({ credential: 'vault-token' }),
      expect.objectContaining({ credential: 'approle-secret-id' }),
      expect.objectContaining({ credential: 'approle-secret-id' }),
    ]);
    expect(events.filter((e) => e.type === 'CredentialRotated').map((e) => e.data)).toEqual(
      s.blast.map((account) => ({ account, mechanism, iterations: 4096, vaultPath: serviceAccountPath(account, TEMPLATE), vaultVersion: 2, verified: true })),
    );
    const text = JSON.stringify([out, heartbeats]);
    for (const account of s.blast) {
      expect(text).not.toContain((await currentPassword(account)).password);
      expect(text).not.toContain(s.passwords[account]);
    }
  });

  it('running the step twice with the same step key rotates each account exactly once', async () => {
    const s = await seed('twice');
    const first = await runActivity(stepInput(s));
    const passwords = await Promise.all(s.blast.map(currentPassword));
    const second = await runActivity(stepInput(s));
    expect(second.err).toBeUndefined();
    for (const [i, account] of s.blast.entries()) {
      expect((await secrets.readSecretMetadata(serviceAccountPath(account, TEMPLATE))).currentVersion).toBe(2);
      expect(await currentPassword(account)).toEqual(passwords[i]);
      expect(await login(account, passwords[i]?.password as string, 'SCRAM-SHA-512')).toBe('ok');
    }
    const rotated = (o?: StepOutput): unknown[] => (o?.events ?? []).filter((e) => e.type === 'CredentialRotated').map((e) => e.data);
    expect(rotated(second.out)).toEqual(rotated(first.out));
    // A new step key is a new rotation.
    await runActivity(stepInput(s, {}, { stepKey: 'another-incident/rotate-credentials' }));
    expect((await currentPassword(s.blast[0] as string)).version).toBe(3);
  });

  it('a crash between the Vault write and the broker apply is finished by the retry, with one rotation per account', async () => {
    const s = await seed('crash', { compromisedOnBroker: false });
    const [a0] = s.blast as [string];
    // Attempt 1: the first account's Vault version is written, then the broker refuses the change.
    kafka.broker.faults.failNext(ApiKey.AlterUserScramCredentials, 1, 13);
    const attempt1 = await runActivity(stepInput(s));
    expect(attempt1.err).toMatchObject({ type: 'KafkaUnavailable', nonRetryable: false });
    const staged = await currentPassword(a0);
    expect(staged.version).toBe(2);
    expect(await login(a0, s.passwords[a0] as string, 'SCRAM-SHA-512')).toBe('ok');
    expect(await login(a0, staged.password, 'SCRAM-SHA-512')).toBe('KafkaJSSASLAuthenticationError');

    // Attempt 2 resumes from attempt 1's FIRST heartbeat: the SDK throttles later ones, so after a
    // real crash the server may hold nothing newer.
    const attempt2 = await runActivity(stepInput(s), deps(), attempt1.heartbeats[0]);
    expect(attempt2.err).toBeUndefined();
    expect(await currentPassword(a0)).toEqual(staged);
    for (const account of s.blast) {
      expect((await secrets.readSecretMetadata(serviceAccountPath(account, TEMPLATE))).currentVersion).toBe(2);
      expect(await login(account, (await currentPassword(account)).password, 'SCRAM-SHA-512')).toBe('ok');
      expect(await login(account, s.passwords[account] as string, 'SCRAM-SHA-512')).toBe('KafkaJSSASLAuthenticationError');
    }
    const types = attempt2.out?.events.map((e) => e.type) ?? [];
    expect(types.filter((t) => t === 'CredentialRotated')).toHaveLength(3);
    // Tokens and secret ids revoked by attempt 1 are still reported, although Vault no longer lists them.
    expect(attempt2.out?.events.filter((e) => e.type === 'CredentialRevoked' && e.data.credential === 'vault-token')).toHaveLength(3);
    expect(attempt2.out?.events.filter((e) => e.type === 'CredentialRevoked' && e.data.credential === 'approle-secret-id')).toHaveLength(2);
  });

  it('a retry without a checkpoint reuses a version staged by an earlier attempt', async () => {
    const s = await seed('nocheckpoint');
    const input = stepInput(s);
    const [a0] = s.blast as [string];
    const staged = await stageVaultVersion(secrets, { account: a0, vaultPathTemplate: TEMPLATE, mechanism: 'SCRAM-SHA-512', iterations: 4096, stepKey: input.stepKey });
    const { err } = await runActivity(input);
    expect(err).toBeUndefined();
    expect(await currentPassword(a0)).toMatchObject({ version: staged.vaultVersion, password: staged.password });
    expect(await login(a0, staged.password, 'SCRAM-SHA-512')).toBe('ok');
  });

  it('a lost check-and-set race against another attempt of the same step continues with the winner’s version', async () => {
    const s = await seed('race');
    const [a0] = s.blast as [string];
    const stepKey = stepInput(s).stepKey;
    let raced = false;
    let winner = '';
    // The real port, except that another attempt writes just before this one's first write.
    const racing: SecretsPort = Object.assign(Object.create(secrets) as SecretsPort, {
      writeSecret: async (path: string, data: Readonly<Record<string, unknown>>, options?: { cas?: number }) => {
        if (!raced) {
          raced = true;
          winner = (await stageVaultVersion(secrets, { account: a0, vaultPathTemplate: TEMPLATE, mechanism: 'SCRAM-SHA-512', iterations: 4096, stepKey })).password;
        }
        return secrets.writeSecret(path, data, options);
      },
    });
    const staged = await stageVaultVersion(racing, { account: a0, vaultPathTemplate: TEMPLATE, mechanism: 'SCRAM-SHA-512', iterations: 4096, stepKey });
    expect(staged).toMatchObject({ vaultVersion: 2, reused: true, password: winner, previousPassword: s.passwords[a0] });
    expect((await secrets.readSecretMetadata(serviceAccountPath(a0, TEMPLATE))).currentVersion).toBe(2);
  });
  it('a compromised service without an AppRole or tokens, and an account missing from Vault, are handled', async () => {
    const compromised = 'bare-report-exporter';
    const missing = 'bare-unrecorded';
    await scram.upsert([{ user: compromised, mechanism: 'SCRAM-SHA-512', password: 'bare-pw', iterations: 4096 }]);
    await scram.upsert([{ user: missing, mechanism: 'SCRAM-SHA-512', password: 'leaked-pw', iterations: 4096 }]);
    const input: StepInput<'rotate-credentials'> = { ...stepInput({ compromised, blast: [missing] } as Seeded), principal: `User:${compromised}` };
    const { out, err } = await runActivity(input);
    expect(err).toBeUndefined();
    expect(out?.events.map((e) => e.type)).toEqual(['CredentialRevoked', 'CredentialRotated']);
    // The account had no secret: the new password becomes its first version; the leaked one stops working.
    const now = await currentPassword(missing);
    expect(now.version).toBe(1);
    expect(await login(missing, now.password, 'SCRAM-SHA-512')).toBe('ok');
    expect(await login(missing, 'leaked-pw', 'SCRAM-SHA-512')).toBe('KafkaJSSASLAuthenticationError');
    expect(await login(compromised, 'bare-pw', 'SCRAM-SHA-512')).toBe('KafkaJSSASLAuthenticationError');
  });
});

describe('rotateCredentials (dry-run)', () => {
  it('plans one change per account and credential and changes nothing', async () => {
    const s = await seed('dry');
    const before = await scram.describe([s.compromised, ...s.blast]);
    // Listing the compromised account in the blast radius does not get it rotated.
    const { out, err } = await runActivity(stepInput(s, { blastRadius: [...s.blast, `User:${s.compromised}`] }, { mode: 'dry-run' }));
    expect(err).toBeUndefined();
    expect(out?.events).toHaveLength(1);
    const event = out?.events[0];
    expect(event?.type).toBe('StepPlanned');
    const changes = event?.type === 'StepPlanned' ? event.data.changes : [];
    const kinds = changes.map((c) => `${c.kind} ${c.target}`);
    expect(kinds).toEqual(expect.arrayContaining([`scram.delete User:${s.compromised}`, ...s.blast.flatMap((a) => [`vault.kv.put ${serviceAccountPath(a, TEMPLATE)}`, `scram.upsert User:${a}`])]));
    expect(changes.filter((c) => c.kind === 'vault.token.revoke')).toHaveLength(3);
    expect(changes.filter((c) => c.kind === 'approle.secret-id.destroy')).toHaveLength(2);
    // Compromised: 2 mechanisms; each blast account: put, upsert, delete SHA-256.
    expect(changes).toHaveLength(2 + 3 + 2 + 3 * 3);

    expect(await scram.describe([s.compromised, ...s.blast])).toEqual(before);
    for (const account of [s.compromised, ...s.blast]) {
      expect((await secrets.readSecretMetadata(serviceAccountPath(account, TEMPLATE))).currentVersion).toBe(1);
      for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) expect(await login(account, s.passwords[account] as string, m)).toBe('ok');
    }
    for (const token of s.tokens.theirs) await expect(nodeVault({ endpoint: vault.address, apiVersion: 'v1', token }).tokenLookupSelf()).resolves.toBeDefined();
    expect((await root.approleSecretAccessors({ role_name: s.compromised })).data.keys).toHaveLength(2);
  });
});

describe('rotateCredentials failures', () => {
  it('a Vault token without rights fails for good (VaultPermissionDenied) and changes nothing', async () => {
    const s = await seed('denied');
    const weak = await secrets.createToken({ policies: ['service'] });
    const weakSecrets = createVaultSecrets({ address: vault.address, token: weak.token });
    const { err } = await runActivity(stepInput(s), deps({ secrets: weakSecrets }));
    expect(err).toMatchObject({ type: 'VaultPermissionDenied', nonRetryable: true });
    expect(await login(s.compromised, s.passwords[s.compromised] as string, 'SCRAM-SHA-512')).toBe('ok');
  });

  it('a sealed Vault is a retryable failure', async () => {
    const s = await seed('sealed');
    vault.seal();
    try {
      const { err } = await runActivity(stepInput(s));
      expect(err).toMatchObject({ type: 'VaultSealed', nonRetryable: false });
    } finally {
      vault.unseal();
    }
  });

  it('an unreachable broker is a retryable failure', async () => {
    const s = await seed('nobroker');
    const { err } = await runActivity(stepInput(s), deps({ kafka: { ...kafka.connection, brokers: ['127.0.0.1:1'] } }));
    expect(err).toMatchObject({ type: 'KafkaUnavailable', nonRetryable: false });
  });

  it('our own admin failing SASL authentication is not retried', async () => {
    const s = await seed('badadmin');
    const { err } = await runActivity(stepInput(s), deps({ kafka: { ...kafka.connection, password: 'not-the-admin-password' } }));
    expect(err).toMatchObject({ type: 'KafkaAdminAuthenticationFailed', nonRetryable: true });
    expect(err?.message).not.toContain('not-the-admin-password');
  });
});
