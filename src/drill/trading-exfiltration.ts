import type { IncidentState } from '../domain/incident';
import { seedScenario } from '../app/sandbox-door';
import type { AccuracyCheck, DrillScenario, ScenarioTruth } from './scenario-registry';

/*
 * The reference drill: `report-exporter` reads client orders for hours (docs/scenario.md), and the
 * `kafka-exfiltration` runbook answers it. Accuracy is the forensic window's exactness: every
 * partition's range, records and bytes, no partition the attacker did not read, the totals and the
 * distinct data subjects, each as its own check so the report says which figure is off.
 */

/** What the trading scenario's seeder knows happened: the figures a perfect investigation reproduces. */
export type DrillGroundTruth = {
  topic: string;
  partitions: Array<{ partition: number; from: string; to: string; records: string; bytes: string }>;
  totals: { records: string; bytes: string };
  dataSubjects: number;
};

/** The trading scenario's ground truth as the registry carries it. */
export type TradingTruth = DrillGroundTruth & { scenario: 'trading-exfiltration' };

const NAME = 'trading-exfiltration';

/** Reads a trading ground truth back from JSON (drills started before the registry returned it without `scenario`). */
export function tradingTruthOf(truth: ScenarioTruth | DrillGroundTruth): DrillGroundTruth {
  const t = truth as Partial<DrillGroundTruth>;
  if (typeof t.topic !== 'string' || !Array.isArray(t.partitions) || t.totals === undefined || typeof t.dataSubjects !== 'number') {
    throw new Error('not a trading-exfiltration ground truth: topic, partitions, totals and dataSubjects are required');
  }
  return { topic: t.topic, partitions: t.partitions, totals: t.totals, dataSubjects: t.dataSubjects };
}

const rangeText = (p: { from: string; to: string; records: string; bytes: string }): string => `${p.from}..${p.to}, ${p.records} records, ${p.bytes} bytes`;

/** The forensic exactness checks of a response against the trading ground truth (pure). */
export function tradingAccuracy(state: IncidentState, truth: ScenarioTruth | DrillGroundTruth): AccuracyCheck[] {
  const t = tradingTruthOf(truth);
  const window = state.forensicWindows[t.topic];
  const measured = new Map((window?.partitions ?? []).map((p) => [p.partition, p]));
  const partitions = t.partitions.map((expected): AccuracyCheck => {
    const m = measured.get(expected.partition);
    return {
      name: `partition ${expected.partition} window`,
      expected: rangeText(expected),
      ...(m !== undefined ? { measured: rangeText(m) } : {}),
      ok: m !== undefined && m.from === expected.from && m.to === expected.to && m.records === expected.records && m.bytes === expected.bytes,
    };
  });
  // A partition the attacker never read, reported as read, is as wrong as a missed one.
  const extra = (window?.partitions ?? []).filter((p) => p.records !== '0' && !t.partitions.some((e) => e.partition === p.partition)).map((p) => p.partition);
  const figure = (name: string, expected: string, value: string | undefined): AccuracyCheck => ({ name, expected, ...(value !== undefined ? { measured: value } : {}), ok: value === expected });
  return [
    ...partitions,
    { name: 'partitions outside the ground truth', expected: 'none', ...(window ? { measured: extra.length === 0 ? 'none' : extra.join(', ') } : {}), ok: window !== undefined && extra.length === 0 },
    figure('records read by the attacker', t.totals.records, window?.totals.records),
    figure('bytes served to the attacker', t.totals.bytes, window?.totals.bytes),
    figure('distinct data subjects', String(t.dataSubjects), window ? String(window.dataSubjects.count) : undefined),
  ];
}

/** The trading-exfiltration drill scenario. */
export const tradingExfiltration: DrillScenario = {
  name: NAME,
  runbookId: 'kafka-exfiltration',
  alertPayload: (now, id) => ({
    id,
    rule: 'kafka-pii-bulk-read',
    title: 'report-exporter reads client orders far outside its baseline',
    severity: 'critical',
    principal: 'User:report-exporter',
    asset: 'orders',
    // Kept as release 0.2.0 sent it: the serves rules route it the same way without this field.
    scenario: 'kafka-exfiltration',
    observedAt: now.toISOString(),
  }),
  alertInject: 'The SIEM raised a critical alert (kafka-pii-bulk-read): User:report-exporter is reading client orders far outside its baseline.',
  async seed(ctx) {
    const seeded = await seedScenario({ kafka: ctx.kafka, secrets: ctx.secrets, scenarioEnd: ctx.scenarioEnd, vault: { address: ctx.vault.address, token: ctx.vault.token }, logger: ctx.logger });
    const truth: TradingTruth = {
      scenario: NAME,
      topic: seeded.topic,
      partitions: seeded.groundTruth.partitions.map((p) => ({ partition: p.partition, from: p.from, to: p.to, records: p.records, bytes: p.bytes })),
      totals: { records: seeded.groundTruth.totals.records, bytes: seeded.groundTruth.totals.bytes },
      dataSubjects: seeded.groundTruth.dataSubjects,
    };
    return { truth };
  },
  accuracy: (state, truth) => tradingAccuracy(state, truth),
};
