import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultTraceActivities } from '../../../activities/actions/vault-trace';
import { seedVaultTokenLeak, type VaultTokenLeakScenario } from '../../../src/sandbox/scenario/vault-token-leak';
import { shipAuditLog } from '../vault/ship-audit';
import { servedByBroker, startSandboxes, type ScenarioSandboxes } from './helpers';

/*
 * The vault-token-leak scenario seeded through the real clients: its ground truth must be what the
 * sandboxes recorded (the broker's access log, the Vault audit log), judged independently of the
 * seeder's own bookkeeping.
 */

let sb: ScenarioSandboxes;
let leak: VaultTokenLeakScenario;

beforeAll(async () => {
  sb = await startSandboxes();
  leak = await seedVaultTokenLeak({ kafka: sb.connection, secrets: sb.secrets, vault: { address: sb.vault.address, token: sb.vault.rootToken } });
}, 120_000);
afterAll(async () => {
  await sb.close();
});

describe('vault-token-leak scenario', () => {
  it('its forensic ground truth is what the broker served to the stolen principal, partition by partition', () => {
    const served = servedByBroker(sb.kafka, 'User:payments-reconciler', 'payments');
    expect(leak.partitions.length).toBeGreaterThan(0);
    for (const p of leak.partitions) {
      const s = served.get(p.partition);
      expect(s, `payments-${p.partition}`).toBeDefined();
      expect({ from: s?.from.toString(), to: s?.to.toString(), records: String(s?.records), bytes: String(s?.bytes) }).toEqual({ from: p.from, to: p.to, records: p.records, bytes: p.bytes });
    }
    expect([...served.keys()].sort()).toEqual(leak.partitions.map((p) => p.partition).sort());
    // ledger-writer's credentials were read but never used.
    expect(servedByBroker(sb.kafka, 'User:ledger-writer', 'payments').size).toBe(0);
    expect(leak.dataSubjects).toBeGreaterThan(0);
  });

  it('the audit log names exactly the secrets, tokens and accounts of the ground truth', async () => {
    const acts = createVaultTraceActivities({ secrets: sb.secrets, audit: leak.audit });
    const res = await acts.actionVaultTraceToken({ incidentId: 'i', stepId: 'trace', stepKey: 'i/trace', params: { accessor: leak.tokenAccessors.leaked }, context: { incidentId: 'i', runbookId: 'vault-token-leak', severity: 'critical', title: 't' } });
    expect([...(res.outputs.paths ?? [])].sort()).toEqual(leak.pathsRead);
    expect([...(res.outputs.kafkaPrincipals ?? [])].sort()).toEqual(leak.exposedPrincipals);
    expect([...(res.outputs.tokenAccessors ?? [])].sort()).toEqual([leak.tokenAccessors.leaked, leak.tokenAccessors.child].sort());
    expect(JSON.stringify(leak)).not.toContain('seeded-db-password');
  });

  it('the same log shipped to a Kafka topic gives the same trace', async () => {
    await shipAuditLog(sb.connection, leak.audit.file, 'vault.audit');
    const input = { incidentId: 'i', stepId: 'trace', stepKey: 'i/trace', params: { accessor: leak.tokenAccessors.leaked }, context: { incidentId: 'i', runbookId: 'vault-token-leak', severity: 'critical', title: 't' } };
    const fromFile = await createVaultTraceActivities({ secrets: sb.secrets, audit: leak.audit }).actionVaultTraceToken(input);
    const fromTopic = await createVaultTraceActivities({ secrets: sb.secrets, kafka: sb.connection, audit: { device: leak.audit.device, topic: 'vault.audit' } }).actionVaultTraceToken(input);
    expect(fromTopic).toEqual(fromFile);
    expect(fromTopic.outputs.kafkaPrincipals?.length).toBeGreaterThan(0);
  });
});
