import type { DomainEvent } from '../domain/events';
import type { IncidentState } from '../domain/incident';
import { seedPoisonedOrdersScenario } from '../app/sandbox-door';
import type { AccuracyCheck, DrillScenario, ScenarioTruth } from './scenario-registry';

/*
 * The poisoned-topic drill (issue 17 item 4): `qa-loadtest`, a load-test account a too-broad ACL
 * let write to every topic, wrote forged trades into `orders` between the legitimate producers'
 * records; risk and settlement consumed past them. The `poisoned-topic` runbook answers it.
 * Accuracy: the forged ranges located exactly (per partition, several ranges each), each
 * downstream group rewound to exactly the first forged offsets, the evidence holding exactly the
 * forged records, and the DORA clock running without a GDPR one (nothing personal was disclosed).
 */

const NAME = 'poisoned-orders';

/** One forged range (`to` inclusive). */
interface Range {
  from: string;
  to: string;
  records: string;
  bytes: string;
}

/** The poisoned-orders ground truth as the registry carries it (see src/sandbox/scenario/poisoned-orders). */
export type PoisonedOrdersTruth = {
  scenario: typeof NAME;
  topic: string;
  rogue: string;
  forged: Record<string, Range[]>;
  firstForgedOffsets: Record<string, string>;
  expectedRewinds: Record<string, Record<string, string>>;
  forgedRecords: string;
};

/** Reads the ground truth back from JSON; throws when it is not one of this scenario. */
export function poisonedTruthOf(truth: ScenarioTruth): PoisonedOrdersTruth {
  const t = truth as Partial<PoisonedOrdersTruth>;
  if (t.scenario !== NAME || typeof t.topic !== 'string' || t.forged === undefined || t.expectedRewinds === undefined || typeof t.forgedRecords !== 'string') {
    throw new Error('not a poisoned-orders ground truth: topic, forged, expectedRewinds and forgedRecords are required');
  }
  return t as PoisonedOrdersTruth;
}

const rangesText = (ranges: ReadonlyArray<{ from: string; to: string; records: string; bytes?: string }>): string =>
  ranges.map((r) => `${r.from}..${r.to} (${r.records}${r.bytes !== undefined ? `, ${r.bytes} B` : ''})`).join(', ') || 'none';

const offsetsText = (offsets: Readonly<Record<string, string>>): string =>
  Object.entries(offsets).sort((a, b) => Number(a[0]) - Number(b[0])).map(([p, o]) => `${p}:${o}`).join(', ') || 'none';

/** Per group, the offsets its `kafka.reset-offsets` step set (from `details`: `p<N>` = `before → after`). */
function rewindsOf(events: readonly DomainEvent[], topic: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const e of events) {
    if (e.type !== 'ActionPerformed' || e.data.action !== 'kafka.reset-offsets' || e.data.details.topic !== topic) continue;
    const group = String(e.data.details.group);
    const set: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.data.details)) {
      const m = /^p(\d+)$/.exec(k);
      const after = typeof v === 'string' ? /→\s*(\d+)$/.exec(v) : null;
      if (m?.[1] !== undefined && after?.[1] !== undefined) set[m[1]] = after[1];
    }
    out.set(group, set);
  }
  return out;
}

/** Per partition, the ranges the evidence steps preserved from `topic`, adjacent ones merged. */
function evidenceOf(events: readonly DomainEvent[], topic: string): Map<number, Array<{ from: string; to: string; records: string }>> {
  const raw = new Map<number, Array<{ from: bigint; to: bigint }>>();
  for (const e of events) {
    if (e.type !== 'EvidencePreserved' || e.data.sourceTopic !== topic) continue;
    raw.set(e.data.partition, [...(raw.get(e.data.partition) ?? []), { from: BigInt(e.data.from), to: BigInt(e.data.to) }]);
  }
  const out = new Map<number, Array<{ from: string; to: string; records: string }>>();
  for (const [p, list] of raw) {
    const merged: Array<{ from: bigint; to: bigint }> = [];
    for (const r of [...list].sort((a, b) => (a.from < b.from ? -1 : 1))) {
      const last = merged[merged.length - 1];
      if (last !== undefined && r.from <= last.to + 1n) last.to = r.to > last.to ? r.to : last.to;
      else merged.push({ ...r });
    }
    out.set(p, merged.map((r) => ({ from: r.from.toString(), to: r.to.toString(), records: (r.to - r.from + 1n).toString() })));
  }
  return out;
}

/** The accuracy checks of a response against the poisoned-orders ground truth (pure). */
export function poisonedAccuracy(state: IncidentState, truth: ScenarioTruth, events: readonly DomainEvent[]): AccuracyCheck[] {
  const t = poisonedTruthOf(truth);
  const window = state.forensicWindows[t.topic];
  const measured = new Map((window?.partitions ?? []).map((p) => [String(p.partition), p.ranges]));
  const checks: AccuracyCheck[] = Object.entries(t.forged).map(([partition, expected]) => {
    const m = measured.get(partition);
    const same = m !== undefined && m.length === expected.length && m.every((r, i) => r.from === expected[i]?.from && r.to === expected[i]?.to && r.records === expected[i]?.records && r.bytes === expected[i]?.bytes);
    return { name: `forged ranges of ${t.topic}-${partition}`, expected: rangesText(expected), ...(m !== undefined ? { measured: rangesText(m) } : {}), ok: same };
  });
  const extra = [...measured].filter(([p, ranges]) => ranges.length > 0 && t.forged[p] === undefined).map(([p]) => p);
  checks.push({ name: 'partitions located outside the ground truth', expected: 'none', ...(window ? { measured: extra.length === 0 ? 'none' : extra.join(', ') } : {}), ok: window !== undefined && extra.length === 0 });
  checks.push({ name: 'forged records located', expected: t.forgedRecords, ...(window ? { measured: window.totals.records } : {}), ok: window?.totals.records === t.forgedRecords });

  const rewinds = rewindsOf(events, t.topic);
  for (const [group, expected] of Object.entries(t.expectedRewinds)) {
    const got = rewinds.get(group);
    const ok = got !== undefined && offsetsText(got) === offsetsText(expected);
    checks.push({ name: `consumer group ${group} rewound to the first forged offsets`, expected: offsetsText(expected), ...(got !== undefined ? { measured: offsetsText(got) } : {}), ok });
  }

  const evidence = evidenceOf(events, t.topic);
  const expectedEvidence = Object.entries(t.forged).map(([p, ranges]) => `${p}: ${rangesText(ranges.map((r) => ({ from: r.from, to: r.to, records: r.records })))}`).join('; ');
  const measuredEvidence = [...evidence].sort((a, b) => a[0] - b[0]).map(([p, ranges]) => `${p}: ${rangesText(ranges)}`).join('; ');
  checks.push({ name: 'evidence holds exactly the forged records', expected: expectedEvidence, ...(evidence.size > 0 ? { measured: measuredEvidence } : {}), ok: expectedEvidence === measuredEvidence });

  const started = new Set(events.filter((e): e is Extract<DomainEvent, { type: 'RegulatoryClockStarted' }> => e.type === 'RegulatoryClockStarted').map((e) => e.data.regime));
  checks.push({ name: 'DORA clock started', expected: 'started', measured: started.has('dora') ? 'started' : 'not started', ok: started.has('dora') });
  checks.push({ name: 'no GDPR clock (no personal data disclosed)', expected: 'not started', measured: started.has('gdpr') ? 'started' : 'not started', ok: !started.has('gdpr') });
  return checks;
}

/** The poisoned-orders drill scenario. */
export const poisonedOrders: DrillScenario = {
  name: NAME,
  runbookId: 'poisoned-topic',
  alertPayload: (now, id) => ({
    id,
    rule: 'kafka-unauthorized-produce',
    title: 'qa-loadtest produced to orders, a topic it has no business writing to',
    severity: 'critical',
    principal: 'User:qa-loadtest',
    asset: 'orders',
    observedAt: now.toISOString(),
  }),
  alertInject: 'The SIEM raised a critical alert: User:qa-loadtest, a load-test account, is producing trades into orders.',
  async seed(ctx) {
    const seeded = await seedPoisonedOrdersScenario({ kafka: ctx.kafka, secrets: ctx.secrets, scenarioEnd: ctx.scenarioEnd, logger: ctx.logger });
    const t = seeded.truth;
    const truth: PoisonedOrdersTruth = {
      scenario: NAME,
      topic: t.topic,
      rogue: t.rogue,
      forged: t.forged,
      firstForgedOffsets: t.firstForgedOffsets,
      expectedRewinds: t.expectedRewinds,
      forgedRecords: t.forgedRecords,
    };
    return { truth };
  },
  accuracy: poisonedAccuracy,
};
