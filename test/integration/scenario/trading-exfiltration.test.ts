import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../../src/kafka/client';
import { readServiceAccount } from '../../../src/vault/service-accounts';
import { seedTradingExfiltration, type TradingScenario } from '../../../src/sandbox/scenario/trading-exfiltration';
import { servedByBroker, startSandboxes, type ScenarioSandboxes } from './helpers';

/*
 * The seeder against the Kafka and Vault sandboxes: its ground truth must be exactly what the
 * broker's access records say was served to the compromised principal, in both attacker variants.
 */

for (const variant of ['committing', 'non-committing'] as const) {
  describe(`trading-exfiltration seeder (${variant} attacker)`, () => {
    let sb: ScenarioSandboxes;
    let scenario: TradingScenario;

    beforeAll(async () => {
      sb = await startSandboxes();
      scenario = await seedTradingExfiltration({
        kafka: sb.connection,
        secrets: sb.secrets,
        attacker: variant,
        vault: { address: sb.vault.address, token: sb.vault.rootToken },
        // Recent: the broker deletes records older than its retention (7 days) by their timestamps.
        scenarioEnd: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
      });
    }, 60_000);
    afterAll(async () => {
      await sb?.close();
    });

    it('ground truth equals what the broker served to report-exporter', () => {
      const served = servedByBroker(sb.kafka, 'User:report-exporter', 'orders');
      expect([...served.keys()].sort((a, b) => a - b)).toEqual(scenario.groundTruth.partitions.map((p) => p.partition));
      for (const p of scenario.groundTruth.partitions) {
        const s = served.get(p.partition);
        expect(s, `partition ${p.partition}`).toBeDefined();
        expect({ from: s?.from.toString(), to: s?.to.toString(), records: String(s?.records), bytes: String(s?.bytes), overlaps: s?.overlaps }).toEqual({
          from: p.from,
          to: p.to,
          records: p.records,
          bytes: p.bytes,
          overlaps: 0,
        });
      }
      const totalBytes = [...served.values()].reduce((n, s) => n + s.bytes, 0);
      expect(String(totalBytes)).toBe(scenario.groundTruth.totals.bytes);
      expect(scenario.groundTruth.attacker).toBe(variant);
    });

    it('the window covers most of the day, starts at the exfiltration and ends before the tail', async () => {
      expect(scenario.partitions).toBe(12);
      expect(scenario.groundTruth.partitions).toHaveLength(12);
      const records = Number(scenario.groundTruth.totals.records);
      // 20 of the 24 hours, less the last hour of tail traffic: about 19/24 of 2,400 records.
      expect(records).toBeGreaterThan(1800);
      expect(records).toBeLessThan(1950);
      for (const p of scenario.groundTruth.partitions) {
        expect(p.firstTs).toBeGreaterThanOrEqual(scenario.exfiltrationStart);
        expect(p.firstTs - scenario.exfiltrationStart).toBeLessThan(10 * 60_000);
        expect(p.lastTs).toBeLessThan(scenario.scenarioEnd - 60 * 60_000);
      }
      expect(scenario.groundTruth.dataSubjects).toBeGreaterThan(300);
      expect(scenario.groundTruth.dataSubjects).toBeLessThanOrEqual(records);

      const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets('orders');
        const bounds = await admin.fetchTopicOffsetsByTimestamp('orders', scenario.exfiltrationStart);
        for (const p of scenario.groundTruth.partitions) {
          // The tail (traffic after the attacker stopped) sits beyond the window.
          expect(BigInt(offsets.find((o) => o.partition === p.partition)?.high ?? '0')).toBeGreaterThan(BigInt(p.to) + 1n);
          // The timestamp index points at the window's first record.
          expect(bounds.find((o) => o.partition === p.partition)?.offset).toBe(p.from);
        }
        const committed = await admin.fetchOffsets({ groupId: scenario.attackerGroup, topics: ['orders'] });
        const byPartition = new Map((committed[0]?.partitions ?? []).map((c) => [c.partition, c.offset]));
        for (const p of scenario.groundTruth.partitions) {
          expect(byPartition.get(p.partition)).toBe(variant === 'committing' ? (BigInt(p.to) + 1n).toString() : '-1');
        }
      } finally {
        await admin.disconnect();
      }
    });

    it('stores every account in Vault and issues the compromised service Vault credentials', async () => {
      expect(Object.keys(scenario.accounts).sort()).toEqual(
        ['analytics-consumer', 'data-lake-sink', 'export-gateway', 'invoice-renderer', 'order-service', 'report-exporter', 'report-scheduler', 'risk-consumer'],
      );
      const stored = await readServiceAccount(sb.secrets, 'report-exporter');
      expect(stored.secret).toMatchObject({ username: 'report-exporter', mechanism: 'SCRAM-SHA-512', password: scenario.accounts['report-exporter']?.password });
      for (const accessor of scenario.vault.tokenAccessors) {
        expect((await sb.secrets.lookupTokenByAccessor(accessor)).meta.service).toBe('report-exporter');
      }
      expect(await sb.secrets.listSecretIdAccessors('report-exporter')).toHaveLength(2);
      const schema = await sb.secrets.readSecret('schemas/orders');
      expect(schema.data.piiFields).toEqual(scenario.schema.piiFields);
    });

    it('gives downstream consumers their own read access and the blast radius its ACLs', async () => {
      const admin = createKafka(sb.connection, { clientId: 'test' }).admin();
      await admin.connect();
      try {
        const acls = await admin.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 });
        const principals = new Set(acls.resources.flatMap((r) => r.acls.map((a) => a.principal)));
        for (const account of Object.keys(scenario.accounts)) expect(principals.has(`User:${account}`), account).toBe(true);
      } finally {
        await admin.disconnect();
      }
    });
  });
}
