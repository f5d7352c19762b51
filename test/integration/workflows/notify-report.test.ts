import { createHash } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../../activities/notify';
import { createReportActivities } from '../../../activities/report';
import type { DomainEvent } from '../../../src/domain/events';
import { renderReport } from '../../../src/domain/report';
import { silentLogger } from '../../../src/log/logger';
import { start, type RunningSlackSandbox } from '../../../src/sandbox/slack/index';
import { createWebConversationPort } from '../../../src/slack/web-conversation-port';

let sandbox: RunningSlackSandbox;
let reader: WebClient;
let notify: ReturnType<typeof createNotifyActivities>['notify'];
let postReport: ReturnType<typeof createReportActivities>['postReport'];

const NO_RETRY = { retries: 0 };

beforeAll(async () => {
  sandbox = await start();
  const conversation = createWebConversationPort({ botToken: sandbox.botToken, apiUrl: sandbox.apiUrl, logger: silentLogger, retryConfig: NO_RETRY });
  notify = createNotifyActivities({ conversation, channel: '#incidents', logger: silentLogger }).notify;
  postReport = createReportActivities({ conversation, channel: '#incidents', logger: silentLogger }).postReport;
  reader = new WebClient(sandbox.botToken, { slackApiUrl: sandbox.apiUrl, retryConfig: NO_RETRY });
});

afterAll(async () => {
  await sandbox?.close();
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
    expect(await notify({ incidentId: 'inc-1', text: 'contained report-exporter' })).toEqual({ posted: true });
    expect(await texts()).toContain('contained report-exporter');
  });

  it('reports posted: false instead of failing when Slack is down', async () => {
    sandbox.faults.failNext('chat.postMessage', { calls: 1, status: 503 });
    expect(await notify({ incidentId: 'inc-1', text: 'lost message' })).toEqual({ posted: false });
    expect(await texts()).not.toContain('lost message');
  });

  it('posts the rendered report and returns its digest', async () => {
    const markdown = renderReport(events);
    const posted = await postReport({ incidentId: 'inc-1', events });
    expect(posted).toEqual({ posted: true, sha256: createHash('sha256').update(markdown).digest('hex'), bytes: Buffer.byteLength(markdown) });
    expect((await texts()).join('\n')).toContain('# Incident report: exfiltration');
  });
});
