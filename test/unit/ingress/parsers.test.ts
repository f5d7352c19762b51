import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_SOURCES, type AlertSource } from '../../../src/domain/alert';
import { IngressError } from '../../../src/ingress/errors';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import { normaliseAlert } from '../../../src/ingress/normalise';

const fixture = (source: AlertSource): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'alerts', `${source}.json`), 'utf8')) as Record<string, unknown>;
const receivedAt = new Date('2026-11-21T03:47:30.000Z');

function refusal(fn: () => unknown): IngressError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IngressError) return error;
    throw error;
  }
  throw new Error('expected an IngressError');
}

describe('source fixtures normalise to the Kafka exfiltration alert', () => {
  const expected: Record<AlertSource, { alertId: string; rule: string; severity: string; observedAt: string; asset: string }> = {
    splunk: {
      alertId: 'scheduler__admin__search__RMD5a7c1e0f43b9d2e11_at_1795232700_8812',
      rule: 'Kafka - bulk read of PII topic by service account',
      severity: 'critical',
      observedAt: '2026-11-21T03:45:12.000Z',
      asset: 'orders',
    },
    elastic: {
      alertId: '2b7d94c0e3f1a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0',
      rule: 'Kafka service account reading PII topic outside its baseline',
      severity: 'critical',
      observedAt: '2026-11-21T03:45:12.000Z',
      asset: 'orders',
    },
    sentinel: { alertId: '4172', rule: 'b51f0e6a-93c2-4f0d-8a7e-2c9d1b3e4f5a', severity: 'high', observedAt: '2026-11-21T03:45:12.000Z', asset: 'orders' },
    generic: { alertId: 'det-20261121-0345-report-exporter-orders', rule: 'kafka-pii-bulk-read', severity: 'critical', observedAt: '2026-11-21T03:45:12.000Z', asset: 'orders' },
  };

  for (const source of ALERT_SOURCES) {
    it(`${source}`, () => {
      const alert = normaliseAlert(source, fixture(source), receivedAt);
      expect(alert).toMatchObject({
        source,
        principal: 'User:report-exporter',
        scenario: 'kafka-exfiltration',
        receivedAt: '2026-11-21T03:47:30.000Z',
        ...expected[source],
      });
      expect(alert.fingerprint).toBe(alertFingerprint({ source, rule: expected[source].rule, principal: 'User:report-exporter' }));
      expect(alert.title.length).toBeGreaterThan(0);
      // Nothing of the raw payload travels: only the Alert's own keys.
      expect(Object.keys(alert).sort()).toEqual(
        ['alertId', 'asset', 'fingerprint', 'observedAt', 'principal', 'receivedAt', 'rule', 'scenario', 'severity', 'source', 'title'].sort(),
      );
    });
  }
});

describe('parsers read what each SIEM actually sends', () => {
  it('splunk: a bare user name becomes a User principal; no severity field means high; _time absent means receipt time', () => {
    const payload = fixture('splunk');
    payload.result = { user: 'report-exporter', topic: 'orders' };
    const alert = normaliseAlert('splunk', payload, receivedAt);
    expect(alert).toMatchObject({ principal: 'User:report-exporter', asset: 'orders', severity: 'high', observedAt: receivedAt.toISOString() });
    expect(alert.scenario).toBeUndefined();
  });

  it('splunk: search_name null (an ad-hoc search) is refused with the field named', () => {
    const payload = { ...fixture('splunk'), search_name: null };
    const error = refusal(() => normaliseAlert('splunk', payload, receivedAt));
    expect(error.status).toBe(422);
    expect(error.details?.map((d) => d.path)).toEqual(['search_name']);
  });

  it('elastic: explicit breachline fields win; empty mustache renders count as absent', () => {
    const payload = fixture('elastic');
    payload.breachline = { principal: 'svc-other', asset: '', scenario: 'kafka-exfiltration', severity: 'low' };
    payload.context = { alerts: [] };
    payload.alert = { id: 'ruleAlert-7', uuid: '' };
    const alert = normaliseAlert('elastic', payload, receivedAt);
    expect(alert).toMatchObject({ principal: 'User:svc-other', severity: 'low', alertId: 'ruleAlert-7', observedAt: '2026-11-21T03:46:02.118Z' });
    expect(alert.asset).toBeUndefined();
  });

  it('elastic: risk score maps to severity bands when no severity word is present', () => {
    const payload = fixture('elastic');
    const alerts = (payload.context as { alerts: Record<string, unknown>[] }).alerts;
    delete alerts[0]!['kibana.alert.severity'];
    alerts[0]!['kibana.alert.risk_score'] = 50;
    expect(normaliseAlert('elastic', payload, receivedAt).severity).toBe('high');
  });

  it('sentinel: the Logic App trigger body (wrapped in "object") is accepted too', () => {
    const alert = normaliseAlert('sentinel', { object: fixture('sentinel'), objectSchemaType: 'Incident' }, receivedAt);
    expect(alert.alertId).toBe('4172');
  });

  it('sentinel: without an analytic rule id the title is the rule; Informational maps to low', () => {
    const payload = fixture('sentinel');
    const props = payload.properties as Record<string, unknown>;
    delete props.relatedAnalyticRuleIds;
    props.severity = 'Informational';
    const alert = normaliseAlert('sentinel', payload, receivedAt);
    expect(alert).toMatchObject({ rule: 'Bulk read of client order data by a Kafka service account', severity: 'low' });
  });

  it('sentinel: every schema problem is listed with its path', () => {
    const payload = fixture('sentinel');
    const props = payload.properties as Record<string, unknown>;
    props.incidentNumber = 'four';
    props.severity = 'Severe';
    delete props.title;
    const error = refusal(() => normaliseAlert('sentinel', payload, receivedAt));
    expect(error.status).toBe(422);
    expect(error.details?.map((d) => d.path).sort()).toEqual(['properties.incidentNumber', 'properties.severity', 'properties.title']);
  });

  it('generic: strict schema refuses unknown keys and bad values, each with its path', () => {
    const error = refusal(() =>
      normaliseAlert('generic', { ...fixture('generic'), principle: 'User:x', severity: 'urgent', observedAt: 'yesterday' }, receivedAt),
    );
    expect(error.code).toBe('invalid_payload');
    const paths = error.details?.map((d) => d.path).sort();
    expect(paths).toEqual(['(root)', 'observedAt', 'severity']);
    expect(error.details?.find((d) => d.path === '(root)')?.message).toMatch(/principle/);
  });

  it('generic: suspectedSince reaches the alert (issue 12); a bad or future one is refused naming the field', () => {
    const alert = normaliseAlert('generic', { ...fixture('generic'), suspectedSince: '2026-11-20T23:00:00+01:00' }, receivedAt);
    expect(alert.suspectedSince).toBe('2026-11-20T22:00:00.000Z');
    expect(normaliseAlert('generic', fixture('generic'), receivedAt)).not.toHaveProperty('suspectedSince');
    expect(refusal(() => normaliseAlert('generic', { ...fixture('generic'), suspectedSince: 'last week' }, receivedAt)).details?.map((d) => d.path)).toEqual(['suspectedSince']);
    const future = new Date(receivedAt.getTime() + 3_600_000).toISOString();
    const error = refusal(() => normaliseAlert('generic', { ...fixture('generic'), suspectedSince: future }, receivedAt));
    expect(error.status).toBe(422);
    expect(error.details).toEqual([{ path: 'suspectedSince', message: 'later than the alert was received' }]);
  });

  it('an alert naming neither principal nor asset is refused (no fingerprint subject)', () => {
    const { principal: _p, asset: _a, ...rest } = fixture('generic');
    const error = refusal(() => normaliseAlert('generic', rest, receivedAt));
    expect(error.status).toBe(422);
    expect(error.details?.map((d) => d.path)).toEqual(['principal', 'asset']);
  });

  it('a payload that is not an object is a 422, not a crash', () => {
    for (const source of ALERT_SOURCES) {
      for (const payload of [null, 42, 'text', []]) {
        expect(refusal(() => normaliseAlert(source, payload, receivedAt)).status).toBe(422);
      }
    }
  });
});
