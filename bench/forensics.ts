/**
 * The forensic window over many partitions, against the Kafka sandbox seeded with the
 * trading-exfiltration scenario (attacker committing, access records on).
 *
 *   npx tsx bench/forensics.ts [--partitions 1000] [--records 40] [--runs 3]
 *
 * Prints the wall time of `investigate` without the data-subject scan (legal hold, log bounds,
 * committed offsets, access records, edge timestamps, window arithmetic) and with it, and — as the
 * baseline measured in the same run — the raw cost of one kafkajs `fetchTopicOffsets` over the same
 * partitions (one ListOffsets round trip: the floor of any O(partitions) admin step). It checks that
 * the figures equal the scenario's ground truth.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createForensicsActivities, type InvestigateInput } from '../activities/forensics';
import type { EventDataMap } from '../src/domain/events';
import type { StepOutput } from '../src/domain/step-contract';
import { createKafka } from '../src/kafka/client';
import { createLogger, silentLogger } from '../src/log/logger';
import { start as startKafka } from '../src/sandbox/kafka';
import { seedTradingExfiltration } from '../src/sandbox/scenario/trading-exfiltration';
import { start as startVault } from '../src/sandbox/vault';
import { createVaultSecrets } from '../src/vault';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const partitions = arg('partitions', 1000);
  const recordsPerPartition = arg('records', 40);
  const runs = arg('runs', 3);
  const [kafka, vault] = await Promise.all([startKafka({ port: 0, groups: { initialRebalanceDelayMs: 50 } }), startVault({ port: 0 })]);
  try {
    const connection = { ...kafka.connection };
    const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
    let t = performance.now();
    const scenario = await seedTradingExfiltration({ kafka: connection, secrets, volume: { partitions, recordsPerPartition }, attacker: 'committing' });
    const seedMs = performance.now() - t;
    process.stdout.write(
      `seeded ${partitions} partitions × ${recordsPerPartition} records in ${(seedMs / 1000).toFixed(1)} s; window ${scenario.groundTruth.totals.records} records, ` +
        `${scenario.groundTruth.totals.bytes} bytes, ${scenario.groundTruth.dataSubjects} data subjects; access records ${kafka.broker.accessLog.length}\n`,
    );

    const admin = createKafka(connection, { clientId: 'bench' }).admin();
    await admin.connect();
    const baseline: number[] = [];
    for (let i = 0; i < Math.max(5, runs); i++) {
      t = performance.now();
      await admin.fetchTopicOffsets('orders');
      baseline.push(performance.now() - t);
    }
    await admin.disconnect();

    const acts = createForensicsActivities({ kafka: connection, logger: process.env.BENCH_LOG === '1' ? createLogger({ name: 'bench' }) : silentLogger });
    const input: InvestigateInput = {
      incidentId: 'bench',
      stepId: 'forensics',
      stepKey: 'bench/forensics',
      mode: 'live',
      principal: 'User:report-exporter',
      params: {
        topics: ['orders'],
        legalHoldRetentionMs: -1,
        piiFields: { source: 'inline', fields: [{ path: 'client.accountId', category: 'account-identifier' }, { path: 'client.email', category: 'contact' }, { path: 'client.name', category: 'name' }] },
        dataSubjectKey: 'client.accountId',
        exactCountThreshold: 100_000,
        hllPrecision: 14,
        useAccessRecords: true,
      },
    };
    const timed = async (request: InvestigateInput): Promise<{ ms: number; window: EventDataMap['ForensicWindowEstablished'] }> => {
      const start = performance.now();
      const out: StepOutput = await new MockActivityEnvironment().run(acts.investigate, request);
      const ms = performance.now() - start;
      const event = out.events.find((e) => e.type === 'ForensicWindowEstablished');
      if (event === undefined) throw new Error('no ForensicWindowEstablished event');
      return { ms, window: event.data as EventDataMap['ForensicWindowEstablished'] };
    };

    const windowOnly: number[] = [];
    const withScan: number[] = [];
    let window: EventDataMap['ForensicWindowEstablished'] | undefined;
    for (let i = 0; i < runs; i++) {
      const a = await timed({ ...input, countDataSubjects: false });
      windowOnly.push(a.ms);
      const b = await timed(input);
      withScan.push(b.ms);
      window = b.window;
    }
    const exact =
      window !== undefined &&
      window.totals.records === scenario.groundTruth.totals.records &&
      window.totals.bytes === scenario.groundTruth.totals.bytes &&
      window.dataSubjects.count === scenario.groundTruth.dataSubjects &&
      window.partitions.length === scenario.groundTruth.partitions.length;

    process.stdout.write(`baseline  fetchTopicOffsets over ${partitions} partitions: median ${median(baseline).toFixed(1)} ms (${baseline.length} runs)\n`);
    process.stdout.write(`investigate, window only (no data-subject scan): median ${median(windowOnly).toFixed(0)} ms, first ${windowOnly[0]?.toFixed(0)} ms (${runs} runs) = ${(median(windowOnly) / median(baseline)).toFixed(1)} × baseline\n`);
    process.stdout.write(`investigate, with data-subject scan of ${scenario.groundTruth.totals.records} records: median ${median(withScan).toFixed(0)} ms (${runs} runs)\n`);
    process.stdout.write(`figures equal the ground truth: ${exact ? 'yes' : 'NO'}\n`);
    if (!exact) process.exitCode = 1;
  } finally {
    await Promise.all([kafka.close(), vault.close()]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
