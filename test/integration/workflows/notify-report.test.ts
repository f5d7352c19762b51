import { createHash } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAuditActivities } from '../../../activities/audit';
import { createNotifyActivities } from '../../../activities/notify';
import { createReportActivities } from '../../../activities/report';
import type { DomainEvent } from '../../../src/domain/events';
import { renderReport } from '../../../src/domain/report';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';
import { createWebConversationPort } from '../../../src/slack/web-conversation-port';

let sandbox: RunningSlackSandbox;
let kafka: RunningKafkaSandbox;
const AUDIT_TOPIC = 'breachline.audit';
let reader: WebClient;
let notify: ReturnType<typeof createNotifyActivities>['notify'];
let postReport: ReturnType<typeof createReportActivities>['postReport'];

const NO_RETRY = { retries: 0 };

beforeAll(async () => {
  sandbox = await start();
  kafka = await startKafka({ port: 0 });
  const conversation = createWebConversationPort({ botToken: sandbox.botToken, apiUrl: sandbox.apiUrl, logger: silentLogger, retryConfig: NO_RETRY });
  notify = createNotifyActivities({ conversation, channel: '#incidents', logger: silentLogger }).notify;
  const report = createReportActivities({ conversation, channel: '#incidents', logger: silentLogger, kafka: kafka.connection, auditTopic: AUDIT_TOPIC });
  postReport = (input) => new MockActivityEnvironment().run(report.postReport, input);
  reader = new WebClient(sandbox.botToken, { slackApiUrl: sandbox.apiUrl, retryConfig: NO_RETRY });
});

afterAll(async () => {
  await sandbox?.close();
  await kafka?.close();
});

beforeEach(() => sandbox.faults.clear());

async function texts(): Promise<string[]> {
  const res = await reader.conversations.history({ channel: '#incidents' });
  return (res.messages ?? []).map((m) => m.text ?? '');
}

const at = '2026-11-22T01:00:00.000Z';
const events: DomainEvent[] = [
  {
    incidentId: 'inc-1',
    seq: 1,
    type: 'IncidentOpened',
    at,
    actor: { kind: 'system', id: 'workflow' },
    data: {
      title: 'exfiltration',
      severity: 'critical',
      scenario: 'kafka-exfiltration',
      mode: 'live',
      principal: 'User:report-exporter',
      fingerprint: 'f'.repeat(64),
      runbook: { id: 'kafka-exfiltration', version: 1, contentHash: 'a'.repeat(64), steps: [{ id: 'contain', action: 'contain', approval: 'none' }] },
    },
  },
  { incidentId: 'inc-1', seq: 2, type: 'StepStarted', at, actor: { kind: 'system', id: 'workflow' }, data: { stepId: 'contain', action: 'contain', attempt: 1 } },
];

describe('notify and report activities over the Slack sandbox', () => {
  it('posts an incident message to the channel', async () => {
    expect(await notify({ incidentId: 'inc-1', text: 'contained report-exporter' })).toMatchObject({ posted: true, ref: { ts: expect.any(String) } });
    expect(await texts()).toContain('contained report-exporter');
  });

  it('edits a progress message in place when given the first one', async () => {
    const first = await notify({ incidentId: 'inc-1', text: 'Evidence: 10 of 30 records preserved' });
    const second = await notify({ incidentId: 'inc-1', text: 'Evidence: 30 of 30 records preserved', replace: first.ref! });
    expect(second.ref?.ts).toBe(first.ref?.ts);
    const all = await texts();
    expect(all).toContain('Evidence: 30 of 30 records preserved');
    expect(all).not.toContain('Evidence: 10 of 30 records preserved');
  });

  it('reports posted: false instead of failing when Slack is down', async () => {
    sandbox.faults.failNext('chat.postMessage', { calls: 1, status: 503 });
    expect(await notify({ incidentId: 'inc-1', text: 'lost message' })).toEqual({ posted: false });
    expect(await texts()).not.toContain('lost message');
  });

  it('refuses (retriably) to report before the audit topic holds every event the workflow flushed', async () => {
    const audit = createAuditActivities({ kafka: kafka.connection, auditTopic: AUDIT_TOPIC, logger: silentLogger });
    await new MockActivityEnvironment().run(audit.appendAudit, { events: events.slice(0, 1) });
    const behind = postReport({ incidentId: 'inc-1', throughSeq: 2 });
    await expect(behind).rejects.toMatchObject({ type: 'AuditBehind', nonRetryable: false });
  });

  it('posts the report rebuilt from the audit topic and returns its digest; its input is the id and a seq', async () => {
    const audit = createAuditActivities({ kafka: kafka.connection, auditTopic: AUDIT_TOPIC, logger: silentLogger });
    await new MockActivityEnvironment().run(audit.appendAudit, { events });
    const markdown = renderReport(events);
    const posted = await postReport({ incidentId: 'inc-1', throughSeq: 2 });
    expect(posted).toEqual({ posted: true, sha256: createHash('sha256').update(markdown).digest('hex'), bytes: Buffer.byteLength(markdown) });
    expect((await texts()).join('\n')).toContain('# Incident report: exfiltration');
  });

  // issue 17: `report.includeTimeline: false` reaches the report the activity posts.
  it('leaves out the timeline section when the runbook says so, and has it otherwise', async () => {
    const audit = createAuditActivities({ kafka: kafka.connection, auditTopic: AUDIT_TOPIC, logger: silentLogger });
    await new MockActivityEnvironment().run(audit.appendAudit, { events });
    const without = await postReport({ incidentId: 'inc-1', throughSeq: 2, includeTimeline: false });
    const markdown = renderReport(events, { includeTimeline: false });
    expect(without.sha256).toBe(createHash('sha256').update(markdown).digest('hex'));
    expect(markdown).not.toContain('## Timeline');
    expect(renderReport(events)).toContain('## Timeline');
    const withIt = await postReport({ incidentId: 'inc-1', throughSeq: 2 });
    expect(withIt.sha256).not.toBe(without.sha256);
  });
});
