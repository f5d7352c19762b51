import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultTraceActivities, type TraceResult } from '../../../activities/actions/vault-trace';
import type { GenericActionInput } from '../../../src/actions/contract';
import type { VaultTraceTokenParams } from '../../../src/actions/vault-trace-token';
import type { KafkaConnection } from '../../../src/kafka/client';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault';
import { client } from '../vault/helpers';
import { shipAuditLog } from '../vault/ship-audit';

/*
 * `vault.trace-token` reading the Vault audit lines a log shipper produced to a Kafka topic: the
 * Vault sandbox's file device writes the log, the test ships every line to a two-partition topic
 * of the Kafka sandbox (request/response pairs alternating between partitions, as a keyless
 * shipper spreads them, its increasing clock as record timestamps), and the trace from the topic
 * must be the trace from the file — a child's creation and its reads land on different partitions,
 * so a reader that does not merge them in order loses the child. An old noise record before the
 * suspected start shows the read is bounded by `since`.
 */

let kafka: RunningKafkaSandbox;
let vault: RunningVaultSandbox;
let connection: KafkaConnection;
let secrets: SecretsPort;
let dir: string;
let file: string;
let leakedAccessor: string;
let since: string;

const TOPIC = 'vault.audit';
const input = (params: VaultTraceTokenParams): GenericActionInput<VaultTraceTokenParams> => ({
  incidentId: 'inc-1',
  stepId: 'trace',
  stepKey: 'inc-1/trace/1',
  params,
  context: { incidentId: 'inc-1', runbookId: 'vault-token-leak', severity: 'critical', title: 'Leaked Vault token' },
});

async function seedVault(): Promise<void> {
  const root = client(vault.address, vault.rootToken);
  await root.enableAudit({ name: 'file', type: 'file', options: { file_path: file } });
  await root.addPolicy({ name: 'deployer', rules: 'path "auth/token/create*" { capabilities = ["create", "update", "sudo"] }\npath "secret/data/*" { capabilities = ["read"] }' });
  for (const account of ['payments-reconciler', 'ledger-writer']) await secrets.writeSecret(`kafka/service-accounts/${account}`, { username: account, password: `pw-${account}` });
  await secrets.writeSecret('payments/db', { password: 'db-pw' });
  const mint = async (token: string, path = 'auth/token/create'): Promise<{ client_token: string; accessor: string }> =>
    (await client(vault.address, token).write(path, { policies: ['deployer'] })).auth as { client_token: string; accessor: string };
  const read = (token: string, path: string): Promise<unknown> => client(vault.address, token).read(`secret/data/${path}`);
  const leaked = await mint(vault.rootToken);
  leakedAccessor = leaked.accessor;
  await read(leaked.client_token, 'kafka/service-accounts/payments-reconciler');
  const child = await mint(leaked.client_token);
  await read(child.client_token, 'kafka/service-accounts/ledger-writer');
  const orphan = await mint(child.client_token, 'auth/token/create-orphan');
  await read(orphan.client_token, 'payments/db');
  await read((await mint(vault.rootToken)).client_token, 'payments/db');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vault-trace-topic-'));
  file = join(dir, 'audit.log');
  [kafka, vault] = await Promise.all([startKafka({ port: 0 }), startVault({ port: 0 })]);
  connection = { ...kafka.connection };
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  await seedVault();
  since = new Date((await shipAuditLog(connection, file, TOPIC, { noiseBefore: 86_400_000 })) - 60_000).toISOString();
}, 60_000);
afterAll(async () => {
  await Promise.all([kafka.close(), vault.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('vault.trace-token from an audit topic', () => {
  it('gives the trace the file gives, lines merged across partitions in Vault order; since bounds the read', async () => {
    const fromFile = createVaultTraceActivities({ secrets, audit: { device: 'file', file } });
    const fromTopic = createVaultTraceActivities({ secrets, kafka: connection, audit: { device: 'file', topic: TOPIC } });
    const expected = await fromFile.actionVaultTraceToken(input({ accessor: leakedAccessor }));
    expect(expected.details).toMatchObject({ tokens: 3, children: 2, orphans: 1, reads: 3, skippedLines: 0 });
    expect(expected.outputs.kafkaAccounts).toEqual(['payments-reconciler', 'ledger-writer']);

    // The whole topic: the old noise record is read (and skipped as not JSON).
    const whole: TraceResult = await fromTopic.actionVaultTraceToken(input({ accessor: leakedAccessor }));
    expect(whole.outputs).toEqual(expected.outputs);
    expect(whole.summary).toBe(expected.summary);
    expect(whole.details).toEqual({ ...expected.details, skippedLines: 1 });

    // From the suspected start: the same trace, and the record before it is never read.
    const bounded = await fromTopic.actionVaultTraceToken(input({ accessor: leakedAccessor, since }));
    expect(bounded).toEqual(await fromFile.actionVaultTraceToken(input({ accessor: leakedAccessor, since })));
    expect(bounded.details).toMatchObject({ skippedLines: 0, children: 2 });

    // A suspected start after the children were created: the read still starts at the token's
    // creation, so they are followed (and the live orphan is there to revoke), as from the file.
    const late = new Date(Date.now() + 86_400_000).toISOString();
    const afterwards = await fromTopic.actionVaultTraceToken(input({ accessor: leakedAccessor, since: late }));
    expect(afterwards).toEqual(await fromFile.actionVaultTraceToken(input({ accessor: leakedAccessor, since: late })));
    expect(afterwards.details).toMatchObject({ children: 2, reads: 0, liveDescendants: 2 });
    expect(afterwards.outputs.tokenAccessors).toHaveLength(3);
  });

  it('a token Vault no longer knows: the whole topic is read, whatever since says', async () => {
    await secrets.revokeTokenByAccessor(leakedAccessor);
    const fromTopic = createVaultTraceActivities({ secrets, kafka: connection, audit: { device: 'file', topic: TOPIC } });
    const res = await fromTopic.actionVaultTraceToken(input({ accessor: leakedAccessor, since }));
    expect(res.details).toMatchObject({ children: 2, reads: 3, skippedLines: 1 });
  });

  it('a missing topic refuses the trace; a topic source without the Kafka cluster, or no source at all, is refused as not configured', async () => {
    const missing = createVaultTraceActivities({ secrets, kafka: connection, audit: { device: 'file', topic: 'no.such.topic' } });
    expect(await missing.actionVaultTraceToken(input({ accessor: leakedAccessor })).catch((e: unknown) => e)).toMatchObject({ type: 'VaultAuditLogUnavailable', nonRetryable: true });
    const noKafka = createVaultTraceActivities({ secrets, audit: { device: 'file', topic: TOPIC } });
    expect(await noKafka.actionVaultTraceToken(input({ accessor: leakedAccessor })).catch((e: unknown) => e)).toMatchObject({ type: 'VaultAuditLogNotConfigured' });
    // Neither source: the refusal names both ways to configure one.
    const none = await createVaultTraceActivities({ secrets, kafka: connection }).actionVaultTraceToken(input({ accessor: leakedAccessor })).catch((e: unknown) => e);
    expect(none).toMatchObject({ type: 'VaultAuditLogNotConfigured', message: expect.stringMatching(/BREACHLINE_VAULT_AUDIT_FILE.*BREACHLINE_VAULT_AUDIT_TOPIC/) as unknown });
  });
});
