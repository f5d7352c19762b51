import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../../activities/notify';
import type { Alert } from '../../../src/domain/alert';
import { parseRunbook } from '../../../src/domain/runbook-loader';
import { silentLogger } from '../../../src/log/logger';
import { openIncident } from '../../../src/playbook/open-incident';
import { startHarness, type Harness } from './harness';

/**
 * One pass against the real IncidentWorkflow (workflows/incident.ts): a runbook whose only step
 * is a close gated on the incident commander, so the playbook waits on a decision made in Slack.
 * Audit writes are stubbed (no Kafka here); notifications go to the Slack sandbox.
 */
const RUNBOOK = `
id: slack-ops-close
version: 1
title: Close on the commander's word
scenario: generic
severity: high
steps:
  - id: close
    action: close
    approval: incident-commander
`;

const QUEUE = 'slack-ops-real';
let h: Harness;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  h = await startHarness();
  native = await NativeConnection.connect({ address: h.temporal.address });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, '..', '..', '..', 'workflows', 'index.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const notify = createNotifyActivities({ conversation: h.cards.port, channel: '#incidents', logger: silentLogger });
  worker = await Worker.create({
    connection: native,
    taskQueue: QUEUE,
    workflowBundle,
    activities: {
      ...notify,
      async ensureAuditTopic() {},
      async appendAudit(input: { events: unknown[] }) {
        return { appended: input.events.length, skipped: 0 };
      },
    },
  });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await h?.close();
});

function alert(): Alert {
  const now = new Date().toISOString();
  return {
    source: 'generic',
    alertId: 'real-1',
    rule: 'slack-ops-test',
    severity: 'high',
    title: 'Slack operations against the real playbook',
    principal: 'User:report-exporter',
    asset: 'orders',
    scenario: 'generic',
    observedAt: now,
    receivedAt: now,
    fingerprint: 'slackopsreal',
  };
}

describe('the /ir commands against the real incident workflow', () => {
  it('shows the pending close, a responder cannot approve it, the commander does and the incident closes', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert(), runbook: parseRunbook(RUNBOOK, 'slack-ops-close.yaml') });
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingApprovals.length, { timeout: 20_000 }).toBe(1);

    const opts = { replyTimeoutMs: 10_000 };
    const status = await h.signed.slashCommand({ text: `status ${workflowId}`, userId: 'U0RESPONDER' }, opts);
    expect(JSON.stringify(status.replies[0]?.blocks)).toContain('`close` (close) — awaiting-approval');

    const refused = await h.signed.slashCommand({ text: `approve ${workflowId}`, userId: 'U0RESPONDER' }, opts);
    expect(refused.replies[0]?.text).toContain('`approve` permission');

    const approved = await h.signed.slashCommand({ text: `approve ${workflowId}`, userId: 'U0COMMANDER' }, opts);
    expect(approved.replies[0]?.text).toContain('approved by <@U0COMMANDER>');
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');

    const report = await h.signed.slashCommand({ text: `report ${workflowId}`, userId: 'U0COMMANDER' }, opts);
    expect(report.replies[0]?.text).toContain('# Incident report: Slack operations against the real playbook');
  });
});
