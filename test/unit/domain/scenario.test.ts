import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealEvent, verifyChain } from '../../../src/domain/audit-chain';
import { DistinctCounter } from '../../../src/domain/distinct-count';
import { establishWindow, forensicEventData, windowEdges, type FetchAccessRecord } from '../../../src/domain/forensic-window';
import { foldEvents, timeline } from '../../../src/domain/incident';
import { computeRegime } from '../../../src/domain/regimes';
import { dataSubjectDecision } from '../../../src/domain/regulatory-clock';
import { planSteps, plannedStepOf, stepRefs } from '../../../src/domain/runbook';
import { loadRunbookFile } from '../../../src/domain/runbook-loader';
import { HistoryBuilder } from './history';

const sha256 = (v: string): Uint8Array => createHash('sha256').update(v).digest();

/** The reference breach in miniature: 12 partitions, fetches that overlap and repeat, 2,000 clients. */
function breach(): { accessRecords: FetchAccessRecord[]; clients: Map<string, { name: string; email: string }>; readClients: string[] } {
  const clients = new Map<string, { name: string; email: string }>();
  for (let i = 0; i < 2_000; i++) clients.set(`ACC-${i}`, { name: `Client Number${i}`, email: `client${i}@example.test` });
  const accessRecords: FetchAccessRecord[] = [];
  for (let p = 0; p < 12; p++) {
    for (let o = 0; o < 1_000; o += 100) accessRecords.push({ partition: p, fromOffset: String(o), toOffset: String(o + 100), records: '100', bytes: '100000', time: 0 });
    accessRecords.push({ partition: p, fromOffset: '0', toOffset: '100', records: '100', bytes: '100000', time: 0 });
  }
  // Offsets 0..999 of 12 partitions; the record at (p, o) belongs to client (p*1000+o) mod 1500.
  const readClients: string[] = [];
  for (let p = 0; p < 12; p++) for (let o = 0; o < 1_000; o++) readClients.push(`ACC-${(p * 1_000 + o) % 1_500}`);
  return { accessRecords, clients, readClients };
}

describe('the kafka-exfiltration runbook drives an incident whose record and audit chain agree', () => {
  it('from runbook to sealed, verified events', async () => {
    const loaded = await loadRunbookFile(join(resolve(__dirname, '../../..'), 'runbooks/kafka-exfiltration.yaml'));
    const plan = planSteps(loaded.runbook);
    const forensics = plannedStepOf(plan, 'forensics');
    if (forensics === undefined) throw new Error('runbook lost its forensics step');
    const gdpr = loaded.runbook.regimes.gdpr!;

    const b = new HistoryBuilder('incident-exfil', Date.UTC(2026, 10, 20, 8, 0, 0));
    b.add('IncidentOpened', {
      title: loaded.runbook.title,
      severity: loaded.runbook.severity,
      scenario: loaded.runbook.scenario,
      mode: 'drill',
      principal: 'User:report-exporter',
      fingerprint: 'fp',
      runbook: { id: loaded.runbook.id, version: loaded.runbook.version, contentHash: loaded.contentHash, steps: stepRefs(loaded.runbook) },
    });

    const { accessRecords, clients, readClients } = breach();
    const input = { topic: 'orders', partitions: Array.from({ length: 12 }, (_, p) => ({ partition: p, logStartOffset: '0', highWatermark: '5000' })), accessRecords };
    const edges = windowEdges(input).map((e) => ({ ...e, timestamp: Date.UTC(2026, 10, 19, 8) + Number(e.offset) * 86_400 }));
    const window = establishWindow(input, edges);
    const subjects = new DistinctCounter({ hash: sha256, exactThreshold: forensics.params.exactCountThreshold, precision: forensics.params.hllPrecision });
    for (const c of readClients) subjects.add(c);
    const categories = (forensics.params.piiFields.fields ?? []).map((f) => f.category);

    b.add('StepStarted', { stepId: 'forensics', action: 'forensics', attempt: 1 });
    b.add('LegalHoldApplied', { topic: 'orders', previousRetentionMs: '604800000', retentionMs: String(forensics.params.legalHoldRetentionMs) });
    b.add('ForensicWindowEstablished', forensicEventData(window, { count: subjects.count(), method: subjects.method, relativeStandardError: subjects.relativeStandardError }, categories));
    b.add('StepCompleted', { stepId: 'forensics', action: 'forensics', durationMs: 4_000 });

    const aware = b.events[0]!.at;
    const entity = loaded.runbook.entity!;
    b.add('RegulatoryClockStarted', { regime: 'gdpr', authority: gdpr.authority, awarenessAt: aware, workflowId: 'w/clock/gdpr', stages: computeRegime('gdpr', { awareAt: aware, filed: {} }, entity).stages });
    const decision = dataSubjectDecision(gdpr.notifyDataSubjectsWhen!, { dataSubjects: subjects.count(), method: subjects.method, piiCategories: categories });
    if (decision.required) b.add('DataSubjectNotificationRequired', { regime: 'gdpr', dataSubjects: subjects.count(), piiCategories: decision.categories, reasons: decision.reasons });
    for (const mark of ['50%', '75%']) b.add('ReminderSent', { regime: 'gdpr', stage: 'authority', mark, channel: '#incidents' });

    const state = foldEvents(b.events);
    expect(state.forensicWindows.orders?.totals).toMatchObject({ partitions: 12, ranges: 12, records: '12000', bytes: '12000000' });
    expect(state.forensicWindows.orders?.dataSubjects).toEqual({ count: 1_500, method: 'exact', relativeStandardError: 0 });
    expect(state.clocks.gdpr?.deadlineAt).toBe(new Date(Date.parse(aware) + 72 * 3_600_000).toISOString());
    expect(state.clocks.gdpr?.stages[0]?.reminders.map((r) => r.mark)).toEqual(['50%', '75%']);
    expect(state.clocks.gdpr?.dataSubjectNotification?.piiCategories).toEqual(['account-identifier', 'contact', 'name']);
    expect(state.runbook.contentHash).toBe(loaded.contentHash);

    let prev = GENESIS_HASH;
    const sealed = b.events.map((e) => {
      const s = sealEvent(e, prev);
      prev = s.hash;
      return s;
    });
    expect(verifyChain(sealed)).toMatchObject({ ok: true, records: b.events.length });
    expect(timeline(sealed)).toHaveLength(b.events.length);

    // No personal data in any event: no account id, name or e-mail of any client.
    const text = JSON.stringify(sealed);
    expect(text).not.toMatch(/ACC-\d|Number\d|@example\.test/);
    expect(clients.size).toBe(2_000);
  });
});
