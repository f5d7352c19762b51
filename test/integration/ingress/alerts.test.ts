import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_SOURCES, type AlertSource } from '../../../src/domain/alert';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import { createLogger } from '../../../src/log/logger';
import { INCIDENT_WORKFLOW_TYPE, incidentWorkflowId } from '../../../workflows/api';
import { configSchema } from '../../../src/config/config';
import { createMetrics } from '../../../src/ingress/metrics';
import { createIngressServer } from '../../../src/ingress/server';
import { silentLogger } from '../../../src/log/logger';
import { authHeaders, fixture, post, postAlert, postChunked, postRaw, uploadHuge, recorded, repoRunbooks, SECRETS, startRig, workflowCount, type IngressRig } from './helpers';

let rig: IngressRig;
let clockOffsetMs = 0;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = createLogger({ name: 'ingress-test', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  rig = await startRig({ clock: () => Date.now() + clockOffsetMs, logger });
});
afterAll(async () => {
  await rig?.close();
});

const RULES: Record<AlertSource, string> = {
  splunk: 'Kafka - bulk read of PII topic by service account',
  elastic: 'Kafka service account reading PII topic outside its baseline',
  sentinel: 'b51f0e6a-93c2-4f0d-8a7e-2c9d1b3e4f5a',
  generic: 'kafka-pii-bulk-read',
};

/** A generic alert with its own fingerprint, so "nothing was started" can be checked by id. */
function uniqueGeneric(tag: string): { payload: Record<string, unknown>; workflowId: string } {
  const principal = `User:probe-${tag}`;
  const payload = { ...fixture('generic'), id: `probe-${tag}`, principal };
  return { payload, workflowId: incidentWorkflowId(alertFingerprint({ source: 'generic', rule: 'kafka-pii-bulk-read', principal })) };
}

async function expectNotStarted(workflowId: string, countBefore: number): Promise<void> {
  expect(await workflowCount(rig.client)).toBe(countBefore);
  await expect(rig.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

describe('each source fixture opens an incident', () => {
  for (const source of ALERT_SOURCES) {
    it(`${source}: 202 once Temporal accepted it; the workflow input and signal carry the normalised alert`, async () => {
      const answer = await postAlert(rig.url, source, fixture(source));
      const fingerprint = alertFingerprint({ source, rule: RULES[source], principal: 'User:report-exporter' });
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ incidentId: incidentWorkflowId(fingerprint), duplicate: false });
      expect(answer.headers.get('x-request-id')).toMatch(/.+/);

      const description = await rig.client.workflow.getHandle(incidentWorkflowId(fingerprint)).describe();
      expect(description.type).toBe(INCIDENT_WORKFLOW_TYPE);
      expect(description.taskQueue).toBe('breachline-test');
      expect(description.status.name).toBe('RUNNING');

      const { input, signals } = await recorded(rig.client, incidentWorkflowId(fingerprint));
      const expected = {
        source,
        rule: RULES[source],
        principal: 'User:report-exporter',
        asset: 'orders',
        scenario: 'kafka-exfiltration',
        observedAt: '2026-11-21T03:45:12.000Z',
        fingerprint,
      };
      expect(input.alert).toMatchObject(expected);
      expect(input).toMatchObject({ incidentId: incidentWorkflowId(fingerprint), mode: 'live', principal: 'User:report-exporter' });
      expect(input.runbook.id).toBe('kafka-exfiltration');
      expect(input.runbookContentHash).toMatch(/^[0-9a-f]{64}$/);
      // Issue 13: the incident's evidence replay goes to its own task queue.
      expect(input.evidenceTaskQueue).toBe('breachline-test-evidence');
      expect(signals).toHaveLength(1);
      expect(signals[0]).toEqual(input.alert);
    });
  }

  it('a second alert with the same fingerprint joins the open incident: duplicate true, one run, two signals', async () => {
    const payload = { ...fixture('splunk'), sid: 'scheduler__admin__search__second_run' };
    const answer = await postAlert(rig.url, 'splunk', payload);
    const workflowId = incidentWorkflowId(alertFingerprint({ source: 'splunk', rule: RULES.splunk, principal: 'User:report-exporter' }));
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ incidentId: workflowId, duplicate: true });
    expect((await rig.client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(1);
    const { input, signals } = await recorded(rig.client, workflowId);
    expect(signals.map((s) => s.alertId)).toEqual([input.alert.alertId, 'scheduler__admin__search__second_run']);
  });
});

describe('bad requests are refused with the right status and nothing is started', () => {
  it('forged HMAC signature → 401 invalid_signature', async () => {
    const { payload, workflowId } = uniqueGeneric('forged');
    const before = await workflowCount(rig.client);
    const body = JSON.stringify(payload);
    const headers = authHeaders('generic', JSON.stringify({ ...payload, id: 'something-else' }));
    const answer = await post(rig.url, 'generic', body, headers);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_signature', message: expect.stringMatching(/signature/) });
    await expectNotStarted(workflowId, before);
  });

  it('missing signature headers → 401 missing_signature', async () => {
    const { payload, workflowId } = uniqueGeneric('unsigned');
    const before = await workflowCount(rig.client);
    const answer = await post(rig.url, 'generic', JSON.stringify(payload), {});
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('missing_signature');
    await expectNotStarted(workflowId, before);
  });

  it('stale timestamp → 401 stale_timestamp, also when the server clock has moved on', async () => {
    const { payload, workflowId } = uniqueGeneric('stale');
    const before = await workflowCount(rig.client);
    const old = await postAlert(rig.url, 'generic', payload, Date.now() - 6 * 60 * 1000);
    expect(old.status).toBe(401);
    expect(old.body).toMatchObject({ error: 'stale_timestamp', message: expect.stringMatching(/300 s/) });
    clockOffsetMs = 6 * 60 * 1000;
    try {
      const fresh = await postAlert(rig.url, 'generic', payload);
      expect(fresh.status).toBe(401);
      expect(fresh.body.error).toBe('stale_timestamp');
    } finally {
      clockOffsetMs = 0;
    }
    await expectNotStarted(workflowId, before);
  });

  it('exact replay of an accepted signed request → 409 replayed; a re-signed resend is accepted as a duplicate', async () => {
    const { payload, workflowId } = uniqueGeneric('replay');
    const body = JSON.stringify(payload);
    const headers = authHeaders('generic', body);
    const first = await post(rig.url, 'generic', body, headers);
    expect(first.status).toBe(202);
    const countAfterFirst = await workflowCount(rig.client);
    const replay = await post(rig.url, 'generic', body, headers);
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ error: 'replayed', message: expect.stringMatching(/already received/) });
    expect(await workflowCount(rig.client)).toBe(countAfterFirst);
    expect((await recorded(rig.client, workflowId)).signals).toHaveLength(1);
    const resent = await post(rig.url, 'generic', body, authHeaders('generic', body, Date.now() + 1000));
    expect(resent.status).toBe(202);
    expect(resent.body.duplicate).toBe(true);
  });

  it('a replay respelled (upper-case hex, padded with whitespace) is still a replay → 409, no new signal', async () => {
    const { payload, workflowId } = uniqueGeneric('replay-respelled');
    const body = JSON.stringify(payload);
    const headers = authHeaders('generic', body);
    const hex = (headers['x-breachline-signature'] ?? '').replace(/^sha256=/, '');
    const first = await post(rig.url, 'generic', body, headers);
    expect(first.status).toBe(202);
    const countAfterFirst = await workflowCount(rig.client);
    const respelled = {
      'upper-case hex': `sha256=${hex.toUpperCase()}`,
      // Plain spaces and tabs are stripped by the HTTP parser; String#trim also strips U+00A0.
      'no-break space around it': `\u00a0sha256=${hex}\u00a0`,
      'upper-case hex and padding': `\u00a0sha256=${hex.toUpperCase()}\u00a0`,
    };
    for (const [how, spelling] of Object.entries(respelled)) {
      const replay = await postRaw(rig.url, 'generic', body, { ...headers, 'x-breachline-signature': spelling });
      expect({ how, status: replay.status, error: replay.body.error }).toEqual({ how, status: 409, error: 'replayed' });
    }
    expect(await workflowCount(rig.client)).toBe(countAfterFirst);
    expect((await recorded(rig.client, workflowId)).signals).toHaveLength(1);
  });

  it('wrong bearer token → 401 invalid_token; none → 401 missing_token', async () => {
    const before = await workflowCount(rig.client);
    const payload = { ...fixture('elastic'), breachline: { principal: 'User:probe-token', scenario: 'kafka-exfiltration' } };
    const wrong = await post(rig.url, 'elastic', JSON.stringify(payload), { authorization: `Bearer ${SECRETS.elastic.bearerToken}-not` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_token');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const none = await post(rig.url, 'elastic', JSON.stringify(payload), {});
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('missing_token');
    expect(await workflowCount(rig.client)).toBe(before);
  });

  it('malformed JSON → 400 malformed_json without echoing the body', async () => {
    const before = await workflowCount(rig.client);
    const body = '{"id": "probe-malformed", "principal": "User:secret-name", ';
    const answer = await post(rig.url, 'generic', body, authHeaders('generic', body));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('malformed_json');
    expect(String(answer.body.message)).not.toMatch(/secret-name/);
    expect(await workflowCount(rig.client)).toBe(before);
  });

  it('schema errors → 422 listing each field path', async () => {
    const before = await workflowCount(rig.client);
    const body = JSON.stringify({ ...fixture('generic'), severity: 'urgent', observedAt: 'yesterday', rule: '' });
    const answer = await post(rig.url, 'generic', body, authHeaders('generic', body));
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('invalid_payload');
    expect((answer.body.details as { path: string }[]).map((d) => d.path).sort()).toEqual(['observedAt', 'rule', 'severity']);
    expect(await workflowCount(rig.client)).toBe(before);
  });

  it('a principal with a control character → 422 invalid_alert naming the field, and no incident', async () => {
    const { payload, workflowId } = uniqueGeneric('bell');
    const before = await workflowCount(rig.client);
    const answer = await postAlert(rig.url, 'generic', { ...payload, principal: 'User:probe-bell\u0007' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'invalid_alert', field: 'principal' });
    expect(await workflowCount(rig.client)).toBe(before);
    await expect(rig.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('an over-long field from a SIEM (Splunk asset) → 422 invalid_alert naming it', async () => {
    const before = await workflowCount(rig.client);
    const payload = fixture('splunk');
    payload.result = { ...(payload.result as Record<string, unknown>), kafka_topic: 't'.repeat(600) };
    const answer = await postAlert(rig.url, 'splunk', payload);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'invalid_alert', field: 'asset' });
    expect(await workflowCount(rig.client)).toBe(before);
  });

  it('unknown scenario → 422 unknown_scenario naming the known ones', async () => {
    const { payload, workflowId } = uniqueGeneric('scenario');
    const before = await workflowCount(rig.client);
    const answer = await postAlert(rig.url, 'generic', { ...payload, scenario: 'ransomware' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: 'unknown_scenario', message: expect.stringMatching(/kafka-exfiltration/) });
    await expectNotStarted(workflowId, before);
  });

  it('wrong content type → 415', async () => {
    const { payload, workflowId } = uniqueGeneric('mediatype');
    const before = await workflowCount(rig.client);
    const body = JSON.stringify(payload);
    const answer = await post(rig.url, 'generic', body, { ...authHeaders('generic', body), 'content-type': 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(415);
    expect(answer.body.error).toBe('unsupported_media_type');
    await expectNotStarted(workflowId, before);
  });

  it('oversized body → 413, whether declared by Content-Length or streamed chunked', async () => {
    const before = await workflowCount(rig.client);
    const big = JSON.stringify({ ...fixture('generic'), title: 'x'.repeat(70 * 1024) });
    const declared = await post(rig.url, 'generic', big, authHeaders('generic', big));
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ error: 'payload_too_large', message: expect.stringMatching(/65536 bytes/) });
    const streamed = await postChunked(rig.url, '/v1/alerts/generic', authHeaders('generic', 'whatever'), 2 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.body.error).toBe('payload_too_large');
    expect(await workflowCount(rig.client)).toBe(before);
    // The server is still serving.
    expect((await fetch(`${rig.url}/healthz`)).status).toBe(200);
  });

  for (const declareLength of [true, false]) {
    it(`a 100 MB upload (${declareLength ? 'Content-Length' : 'chunked'}) reads its 413 with Connection: close, not EPIPE`, async () => {
      const before = await workflowCount(rig.client);
      const total = 100 * 1024 * 1024;
      const outcome = await uploadHuge(rig.url, '/v1/alerts/generic', authHeaders('generic', 'whatever'), total, declareLength);
      expect(outcome.error).toBeUndefined();
      expect(outcome.written).toBe(total);
      expect(outcome.answer?.status).toBe(413);
      expect(outcome.answer?.head).toContain('connection: close');
      expect(outcome.answer?.body).toContain('payload_too_large');
      expect(await workflowCount(rig.client)).toBe(before);
      expect((await fetch(`${rig.url}/healthz`)).status).toBe(200);
    }, 60_000);
  }

  it('a source without credentials is closed: 403 source_not_configured, whatever the request carries', async () => {
    const config = configSchema.parse({ ingress: { sources: { splunk: SECRETS.splunk } } });
    const closed = createIngressServer({ config, temporalClient: rig.client, runbooks: await repoRunbooks(), logger: silentLogger, metrics: createMetrics() });
    const { url } = await closed.listen(0);
    try {
      const before = await workflowCount(rig.client);
      for (const headers of [{}, { authorization: 'Bearer anything-at-all-123456' }] as Record<string, string>[]) {
        const answer = await post(url, 'generic', JSON.stringify(fixture('generic')), headers);
        expect(answer.status).toBe(403);
        expect(answer.body).toMatchObject({ error: 'source_not_configured', message: expect.stringMatching(/ingress\.sources\.generic/) });
      }
      expect(await workflowCount(rig.client)).toBe(before);
    } finally {
      await closed.close();
    }
  });

  it('unknown source → 404; unknown path → 404; GET on the alert route → 405', async () => {
    const unknown = await post(rig.url, 'qradar', '{}', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'unknown_source', message: expect.stringMatching(/splunk, elastic, sentinel, generic/) });
    const nowhere = await fetch(`${rig.url}/v2/whatever`);
    expect(nowhere.status).toBe(404);
    const get = await fetch(`${rig.url}/v1/alerts/splunk`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('health, readiness and metrics', () => {
  it('/healthz and /readyz answer 200 with Temporal up and runbooks loaded', async () => {
    expect((await fetch(`${rig.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${rig.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; scenarios: string[]; runbooks: { id: string; contentHash: string }[] };
    expect(body.status).toBe('ready');
    // Every shipped playbook is served, the reference one and the catch-all triage among them.
    expect(body.scenarios).toEqual(expect.arrayContaining(['kafka-exfiltration', 'poisoned-topic', 'triage']));
    const incident = await recorded(rig.client, incidentWorkflowId(alertFingerprint({ source: 'generic', rule: RULES.generic, principal: 'User:report-exporter' })));
    // The hash served is the one pinned on incidents.
    expect(body.runbooks[0]).toEqual({ scenario: 'kafka-exfiltration', id: 'kafka-exfiltration', version: incident.input.runbook.version, contentHash: incident.input.runbookContentHash });
    // Routing as data (issue 17): the triage runbook is served too.
    expect(body.runbooks.find((r) => r.id === 'triage')).toMatchObject({ scenario: 'triage', id: 'triage' });
  });

  it('/metrics exposes alert outcomes, incidents opened, duplicates and latency', async () => {
    const res = await fetch(`${rig.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/breachline_ingress_alerts_total\{source="splunk",outcome="opened",code=""\} 1/);
    expect(text).toMatch(/breachline_ingress_alerts_total\{source="splunk",outcome="duplicate",code=""\} 1/);
    expect(text).toMatch(/breachline_ingress_alerts_total\{source="generic",outcome="rejected",code="stale_timestamp"\} 2/);
    expect(text).toMatch(/breachline_incidents_opened_total\{source="sentinel"\} 1/);
    expect(text).toMatch(/breachline_ingress_duplicate_alerts_total\{source="splunk"\} 1/);
    expect(text).toMatch(/breachline_ingress_request_duration_seconds_count\{route="\/v1\/alerts\/:source",method="POST",status="202"\} \d+/);
    expect(text).toMatch(/# TYPE breachline_step_duration_seconds histogram/);
  });
});

describe('logs', () => {
  it('carry the correlation id and incident id, never bodies or credentials', async () => {
    const payload = { ...fixture('sentinel'), id: 'log-probe' };
    const body = JSON.stringify(payload);
    const answer = await post(rig.url, 'sentinel', body, { ...authHeaders('sentinel', body), 'x-request-id': 'corr-log-probe-1' });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('x-request-id')).toBe('corr-log-probe-1');
    const mine = logLines.filter((l) => l.includes('corr-log-probe-1')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(mine.find((l) => l.incidentId === answer.body.incidentId)).toBeDefined();
    const all = logLines.join('\n');
    for (const secret of [SECRETS.sentinel.bearerToken, SECRETS.splunk.hmacSecret, SECRETS.generic.hmacSecret, SECRETS.elastic.bearerToken]) {
      expect(all).not.toContain(secret);
    }
    // Body text that is not a normalised field (description, entity ids) never reaches a log line.
    expect(all).not.toContain('3,000x its daily baseline');
    expect(all).not.toContain('10.42.7.19');
  });
});
