import { describe, expect, it } from 'vitest';
import { breachRegister, REGISTER_COLUMNS, registerToCsv, registerToJson, registerToMarkdown } from '../../../src/domain/breach-register';
import { draftNotification } from '../../../src/domain/notification-draft';
import { RegimeInputError } from '../../../src/domain/regimes';
import { contained, forensics, gdprClock, opened, PII } from './fixtures';

/** Incident A: contained, investigated, GDPR filed in two phases, closed. */
function filedAndClosed() {
  const i = gdprClock(forensics(contained(opened('inc-a'))));
  return i
    .add('AwarenessDetermined', { awareAt: '2026-03-27T09:40:00.000Z', reason: 'SOC confirmed the alert', previous: '2026-03-27T10:00:00.000Z' }, { kind: 'user', id: PII.slackUser })
    .add('NotificationFiled', { regime: 'gdpr', recipient: 'supervisory-authority', authority: 'BfDI', reference: 'BfDI-2026-0042', filedAt: '2026-03-28T09:00:00.000Z', late: false, stage: 'authority', phase: 'initial' })
    .add('NotificationFiled', { regime: 'gdpr', recipient: 'supervisory-authority', authority: 'BfDI', reference: 'BfDI-2026-0042-S1', filedAt: '2026-04-02T09:00:00.000Z', late: false, stage: 'authority', phase: 'supplementary' })
    .add('IncidentClosed', { resolution: 'contained and notified', openItems: [] });
}

/** Incident B: open, GDPR and NIS2 recorded as not notifiable, plus an event type from a later release. */
function notNotifiableOpen() {
  const i = forensics(opened('inc-b', 'analytics-etl over-read'));
  gdprClock(i);
  return i
    .add('RegimeNotNotifiable', { regime: 'gdpr', reasoning: 'records were pseudonymised test data' })
    .add('RegulatoryClockStarted', { regime: 'nis2', authority: 'BSI', awarenessAt: '2026-03-27T10:00:00.000Z', workflowId: 'clock-inc-b-nis2', stages: [] })
    .add('RegimeNotNotifiable', { regime: 'nis2', reasoning: 'no significant impact on the service' })
    .add('QuantumEntanglementObserved', { qubits: 7 });
}

describe('draftNotification', () => {
  it('GDPR authority: the Art. 33(3) contents with the forensic counts', () => {
    const md = draftNotification(filedAndClosed().events, 'gdpr', 'authority');
    expect(md).toMatch(/^# DRAFT: GDPR personal data breach, stage "authority"/);
    for (const heading of ['Art. 33(3)(a)', 'Art. 33(3)(b)', 'Art. 33(3)(c)', 'Art. 33(3)(d)']) expect(md).toContain(`## ${heading}`);
    expect(md).toContain('approximately 48213 (estimated, relative standard error 0.8 %)');
    expect(md).toContain('approximately 1234567');
    expect(md).toContain('email, iban');
    expect(md).toContain('topic(s) orders');
    expect(md).toContain('access of User:report-exporter revoked');
    expect(md).toContain('Awareness: 2026-03-27T09:40:00.000Z (determined by the organisation)');
    expect(md).toContain('Already filed (supplementary): reference BfDI-2026-0042-S1');
    expect(md).toContain('_[to complete: name and contact details of the DPO or contact point]_');
  });

  it('never writes the people or personal data found in the events', () => {
    const events = filedAndClosed().events;
    for (const [regime, stage] of [['gdpr', 'authority'], ['dora', 'initial'], ['dora', 'final'], ['nis2', 'early-warning'], ['sec-8k', 'form-8k'], ['nydfs', 'superintendent'], ['hipaa', 'individuals']] as const) {
      const md = draftNotification(events, regime, stage);
      for (const secret of [PII.approver, PII.slackUser, PII.comment, 'SOC confirmed the alert']) expect(md, `${regime}/${stage}`).not.toContain(secret);
    }
  });

  it('per-regime headings for the others', () => {
    const events = filedAndClosed().events;
    expect(draftNotification(events, 'dora', 'final')).toContain('## Lessons learned and permanent resolution');
    expect(draftNotification(events, 'nis2', 'early-warning')).toContain('## Suspected unlawful or malicious act');
    expect(draftNotification(events, 'sec-8k', 'form-8k')).toContain('## Item 1.05(a): material impact');
    expect(draftNotification(events, 'hipaa', 'individuals')).toContain('## 164.404(c)(1)(E): contact procedures');
  });

  it('refuses a stage the regime does not have', () => {
    expect(() => draftNotification(filedAndClosed().events, 'nis2', 'authority')).toThrow(RegimeInputError);
  });

  it('drafts even before forensics, with placeholders instead of counts', () => {
    const md = draftNotification(opened('inc-c').events, 'gdpr', 'authority');
    expect(md).toContain('approximate number of data subjects (forensics not yet established)');
    expect(md).toContain('provisional');
  });
});

describe('breachRegister', () => {
  const rows = breachRegister([filedAndClosed().events, notNotifiableOpen().events, opened('inc-c').events, []]);

  it('one row per incident: closed and notified, open and not notifiable, open and undecided', () => {
    expect(rows.map((r) => [r.incidentId, r.status, r.notifiable])).toEqual([
      ['inc-a', 'closed', 'yes'],
      ['inc-b', 'open', 'no'],
      ['inc-c', 'open', 'undecided'],
    ]);
    const [a, b] = rows;
    expect(a?.filings).toEqual([
      '2026-03-28T09:00:00.000Z: gdpr/authority (initial) to supervisory-authority, reference BfDI-2026-0042',
      '2026-04-02T09:00:00.000Z: gdpr/authority (supplementary) to supervisory-authority, reference BfDI-2026-0042-S1',
    ]);
    expect(a?.effects).toBe('1234567 records, 987654321 bytes, 48213 data subjects (hll); categories: email, iban');
    expect(a?.awareAt).toBe('2026-03-27T09:40:00.000Z');
    expect(a?.closedAt).not.toBeNull();
    expect(b?.regimes).toEqual({ gdpr: 'not-notifiable', nis2: 'not-notifiable' });
    expect(b?.decisions.join('\n')).toContain('gdpr not notifiable: records were pseudonymised test data');
  });

  it('skips and counts an event type it does not know instead of crashing', () => {
    expect(rows[1]?.unknownEvents).toBe(1);
    expect(rows[0]?.unknownEvents).toBe(0);
  });

  it('CSV: the header, then one line per incident, quoted per RFC 4180', () => {
    const csv = registerToCsv(rows);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(REGISTER_COLUMNS.join(','));
    expect(lines[0]).toBe('incidentId,title,severity,status,openedAt,closedAt,awareAt,awarenessDetermined,notifiable,regimes,facts,effects,remedialAction,decisions,filings,missedDeadlines,resolution');
    expect(lines).toHaveLength(rows.length + 2); // header, rows, and the empty string after the last CRLF
    expect(lines[1]).toMatch(/^inc-a,report-exporter reading orders,critical,closed,.*,yes,gdpr: notified,.*,"1234567 records, 987654321 bytes, 48213 data subjects \(hll\); categories: email, iban",/);
    expect(lines[2]).toMatch(/^inc-b,analytics-etl over-read,critical,open,2026-03-27T10:00:00.000Z,,2026-03-27T10:00:00.000Z,false,no,gdpr: not-notifiable; nis2: not-notifiable,kafka-exfiltration: /);
  });

  it('CSV: a title that would run as a spreadsheet formula is defused', () => {
    const csv = registerToCsv(breachRegister([opened('inc-x', '=HYPERLINK("http://evil.example","x")').events]));
    expect(csv.split('\r\n')[1]).toMatch(/^inc-x,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",/);
  });

  it('Markdown and JSON carry the same rows', () => {
    const md = registerToMarkdown(rows);
    expect(md.split('\n').filter((l) => l.startsWith('| inc-'))).toHaveLength(3);
    const json = JSON.parse(registerToJson(rows)) as { incidents: Array<{ incidentId: string; notifiable: string }> };
    expect(json.incidents.map((r) => [r.incidentId, r.notifiable])).toEqual([['inc-a', 'yes'], ['inc-b', 'no'], ['inc-c', 'undecided']]);
  });
});
