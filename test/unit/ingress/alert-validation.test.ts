import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_FIELD_LIMITS, alertProblems, KAFKA_PRINCIPAL, type AlertSource } from '../../../src/domain/alert';
import { InvalidAlertError } from '../../../src/ingress/errors';
import { normaliseAlert } from '../../../src/ingress/normalise';

/*
 * Alerts are validated at the door: a principal outside Kafka's grammar, a control character or an
 * over-long field is a 422 that names the field, for every source, before any incident exists.
 */

type Doc = Record<string, unknown>;
const fixture = (source: AlertSource): Doc => JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'alerts', `${source}.json`), 'utf8')) as Doc;
const receivedAt = new Date('2026-11-21T03:47:30.000Z');

/** Where each source's fixture carries the principal, the rule id and the asset; each setter edits a fresh copy. */
const SET: Record<AlertSource, { principal(d: Doc, v: string): void; alertId(d: Doc, v: string): void; asset(d: Doc, v: string): void }> = {
  splunk: {
    principal: (d, v) => ((d.result as Doc).principal = v),
    alertId: (d, v) => (d.sid = v),
    asset: (d, v) => ((d.result as Doc).kafka_topic = v),
  },
  elastic: {
    principal: (d, v) => ((((d.context as Doc).alerts as Doc[])[0] as Doc).kafka = { ...((((d.context as Doc).alerts as Doc[])[0] as Doc).kafka as Doc), principal: v }),
    alertId: (d, v) => ((((d.context as Doc).alerts as Doc[])[0] as Doc)['kibana.alert.uuid'] = v),
    asset: (d, v) => ((((d.context as Doc).alerts as Doc[])[0] as Doc).kafka = { ...((((d.context as Doc).alerts as Doc[])[0] as Doc).kafka as Doc), topic: v }),
  },
  sentinel: {
    principal: (d, v) => ((d.properties as Doc).labels = [...(((d.properties as Doc).labels as Doc[]) ?? []), { labelName: `breachline.principal=${v}` }]),
    alertId: (d, v) => ((d.properties as Doc).incidentNumber = v),
    asset: (d, v) => ((d.properties as Doc).labels = [...(((d.properties as Doc).labels as Doc[]) ?? []).filter((l) => !String(l.labelName).startsWith('breachline.asset=')), { labelName: `breachline.asset=${v}` }]),
  },
  generic: {
    principal: (d, v) => (d.principal = v),
    alertId: (d, v) => (d.id = v),
    asset: (d, v) => (d.asset = v),
  },
};

function refusal(source: AlertSource, edit: (d: Doc) => void): InvalidAlertError {
  const doc = fixture(source);
  edit(doc);
  try {
    normaliseAlert(source, doc, receivedAt);
  } catch (error) {
    if (error instanceof InvalidAlertError) return error;
    throw error;
  }
  throw new Error(`${source}: the alert was accepted`);
}

describe('Kafka principal grammar', () => {
  it.each(['User:report-exporter', 'User:CN=exporter,OU=Data,O=Example', 'Group:analysts', 'User:a', `User:${'x'.repeat(250)}`])('accepts %s', (p) => {
    expect(KAFKA_PRINCIPAL.test(p)).toBe(true);
  });
  it.each(['report-exporter', ':x', 'User:', 'User: x', 'User:x ', '1User:x', 'User:x\ny', 'User:x\u0000', 'User:x\u200by', 'User:x\u007f'])('refuses %j', (p) => {
    expect(KAFKA_PRINCIPAL.test(p)).toBe(false);
  });
});

describe('a valid alert has no problems', () => {
  it('the generic fixture', () => {
    expect(alertProblems(normaliseAlert('generic', fixture('generic'), receivedAt))).toEqual([]);
  });
});

const SOURCES: AlertSource[] = ['splunk', 'elastic', 'sentinel', 'generic'];

describe.each(SOURCES)('%s alerts are refused at the door with the field named', (source) => {
  it('a principal with a control character', () => {
    const error = refusal(source, (d) => SET[source].principal(d, 'User:report-exporter\u0007'));
    expect(error.status).toBe(422);
    expect(error.toBody()).toMatchObject({ error: 'invalid_alert', field: 'principal' });
  });

  it('a principal with a forged log line', () => {
    const error = refusal(source, (d) => SET[source].principal(d, 'User:x\u2028User:admin'));
    expect(error.toBody()).toMatchObject({ error: 'invalid_alert', field: 'principal' });
  });

  it('a principal longer than the limit', () => {
    const error = refusal(source, (d) => SET[source].principal(d, `User:${'a'.repeat(ALERT_FIELD_LIMITS.principal)}`));
    expect(error.toBody()).toMatchObject({ error: 'invalid_alert', field: 'principal' });
    expect(error.message).toMatch(/longer than 255/);
  });

  it('a principal outside the grammar', () => {
    const error = refusal(source, (d) => SET[source].principal(d, 'User: report-exporter x '.replace(/ $/, '\u00a0')));
    expect(error.toBody()).toMatchObject({ error: 'invalid_alert', field: 'principal' });
  });

  it('an asset longer than the limit', () => {
    const error = refusal(source, (d) => SET[source].asset(d, 'o'.repeat(ALERT_FIELD_LIMITS.asset + 1)));
    expect(error.toBody()).toMatchObject({ error: 'invalid_alert', field: 'asset' });
  });
});

describe('other fields', () => {
  it('an alert id with a control character (splunk sid)', () => {
    const error = refusal('splunk', (d) => SET.splunk.alertId(d, 'sid\u001b[31m'));
    expect(error.toBody()).toMatchObject({ error: 'invalid_alert', field: 'alertId' });
  });

  it('a title with line breaks is folded onto one line, not refused', () => {
    const doc = fixture('generic');
    doc.title = 'report-exporter\r\nread orders';
    expect(normaliseAlert('generic', doc, receivedAt).title).toBe('report-exporter read orders');
  });

  it('every problem is listed in details, the first one named at the top', () => {
    const error = refusal('generic', (d) => {
      d.principal = 'User:\u0000';
      d.asset = 'x'.repeat(600);
    });
    expect(error.field).toBe('principal');
    expect(error.toBody().details?.map((p) => p.path).sort()).toEqual(['asset', 'principal']);
  });
});
