/**
 * How fast `contain` cuts a compromised principal off, against the Kafka and Vault sandboxes.
 *
 * Each run gets a fresh principal (SCRAM user, password in Vault, ALLOW READ on `orders` and its
 * group, ALLOW WRITE on its own export topic), then `contain` is called (live, verify on) while
 * an observer probes a consume with the principal's credentials in a loop. Figures, p50/p99:
 * - refused (observed): from the call until the observer's first refused probe;
 * - contain (verified): from the call until contain returns with its own probes refused;
 * - baseline: one DescribeAcls round trip (kafkajs admin, connected), and one access probe
 *   (connect + SASL + Fetch), measured in the same run.
 * Usage: `npx tsx bench/containment.ts [--runs N]` (default 30, at least 20).
 */
import { performance } from 'node:perf_hooks';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { createContainmentActivities } from '../activities/containment';
import type { StepInput } from '../src/domain/step-contract';
import { createAclAdmin } from '../src/kafka/acls';
import { probeConsume } from '../src/kafka/access-probe';
import { createKafka, withCredentials } from '../src/kafka/client';
import { ScramAdmin } from '../src/kafka/scram-admin';
import { silentLogger } from '../src/log/logger';
import { start as startKafka } from '../src/sandbox/kafka';
import { start as startVault } from '../src/sandbox/vault';
import { createVaultSecrets } from '../src/vault';
import { serviceAccountPath } from '../src/vault/service-accounts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(20, runsArg > 0 ? Number(process.argv[runsArg + 1]) || 30 : 30);

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function show(name: string, samples: number[]): void {
  const s = [...samples].sort((a, b) => a - b);
  const fmt = (n: number): string => `${n.toFixed(2)} ms`.padStart(10);
  console.log(`${name.padEnd(34)} p50 ${fmt(quantile(s, 0.5))}  p99 ${fmt(quantile(s, 0.99))}  (n=${s.length})`);
}

async function main(): Promise<void> {
  const [kafka, vault] = await Promise.all([startKafka({ port: 0 }), startVault({ port: 0 })]);
  const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  const scram = new ScramAdmin({ brokers: [...kafka.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } });
  const admin = createKafka(kafka.connection, { clientId: 'bench-containment' }).admin();
  const acls = createAclAdmin(kafka.connection);
  const activities = createContainmentActivities({ kafka: kafka.connection, secrets, logger: silentLogger });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 12 }], waitForLeaders: true });

    // Baselines: the raw cost of one DescribeAcls and of one access probe.
    const filter = { resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };
    await admin.describeAcls(filter);
    const describeRtt: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await admin.describeAcls(filter);
      describeRtt.push(performance.now() - t0);
    }

    const observed: number[] = [];
    const verified: number[] = [];
    const probeRtt: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const account = `bench-svc-${run}`;
      const principal = `User:${account}`;
      const password = `pw-${run}-${Math.random().toString(36).slice(2)}`;
      await scram.upsert([{ user: account, mechanism: 'SCRAM-SHA-512', password, iterations: 4096 }]);
      await secrets.writeSecret(serviceAccountPath(account), { username: account, password, mechanism: 'SCRAM-SHA-512' });
      await acls.create([
        { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal, host: '*', operation: 'READ', permission: 'ALLOW' },
        { resourceType: 'GROUP', resourceName: account, patternType: 'LITERAL', principal, host: '*', operation: 'READ', permission: 'ALLOW' },
        { resourceType: 'TOPIC', resourceName: `exports-${run}`, patternType: 'LITERAL', principal, host: '*', operation: 'WRITE', permission: 'ALLOW' },
      ]);
      const target = { connection: withCredentials(kafka.connection, account, password, 'scram-sha-512') };
      const p0 = performance.now();
      const before = await probeConsume(target, 'orders');
      probeRtt.push(performance.now() - p0);
      if (before.outcome !== 'allowed') throw new Error(`run ${run}: the fresh principal cannot read before containment`);

      const input: StepInput<'contain'> = {
        incidentId: `bench-${run}`,
        stepId: 'contain',
        stepKey: `bench-${run}/contain`,
        mode: 'live',
        principal,
        params: { scope: 'resources', denyOperations: ['ALL'], verify: true },
      };
      let refusedAt: number | undefined;
      const t0 = performance.now();
      const observer = (async () => {
        // Bounded, so a containment that never bites ends the bench with an error instead of a hang.
        while (refusedAt === undefined && performance.now() - t0 < 10_000) {
          const o = await probeConsume(target, 'orders');
          if (o.outcome === 'denied') refusedAt = performance.now();
        }
      })();
      const out = await activities.contain(input);
      verified.push(performance.now() - t0);
      await observer;
      if (!out.result?.verified || refusedAt === undefined) throw new Error(`run ${run}: containment not verified`);
      observed.push(refusedAt - t0);
    }

    console.log(`contain against the sandbox broker, ${RUNS} runs, fresh principal and ACLs each run`);
    show('refused (observed from outside)', observed);
    show('contain (call → verified return)', verified);
    show('baseline: DescribeAcls round trip', describeRtt);
    show('baseline: one access probe', probeRtt);
  } finally {
    await acls.close();
    await admin.disconnect();
    await scram.close();
    await Promise.all([kafka.close(), vault.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
