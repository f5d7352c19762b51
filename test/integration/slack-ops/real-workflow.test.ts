import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../../activities/notify';
import type { Alert } from '../../../src/domain/alert';
import type { DomainEvent } from '../../../src/domain/events';
import { closeSignal, reportQuery } from '../../../workflows/api';
import { parseRunbook } from '../../../src/domain/runbook-loader';
import { silentLogger } from '../../../src/log/logger';
import { openIncident } from '../../../src/playbook/open-incident';
import { OBSERVER, startHarness, type Harness } from './harness';

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

/** Breakers and a close gated on the commander: what `/ir breaker` and `/ir close` act on. */
const BREAKER_RUNBOOK = `
id: slack-ops-breakers
version: 1
title: Breakers and closing from Slack
scenario: generic
severity: high
breakers:
  orders-to-analytics:
    topic: orders
    principals: [User:analytics-consumer]
  orders-to-data-lake:
    topic: orders
    principals: [User:data-lake-sink]
steps:
  - id: break-circuits
    action: break-circuits
    with:
      breakers: [orders-to-analytics, orders-to-data-lake]
  - id: close
    action: close
    approval: incident-commander
`;

/** A containment that fails for good until told otherwise: the incident then needs attention. */
const FAILING_RUNBOOK = `
id: slack-ops-attention
version: 1
title: A step that fails, decided from Slack
scenario: generic
severity: high
steps:
  - id: contain
    action: contain
    with:
      scope: resources
      principal: User:report-exporter
      denyOperations: [ALL]
  - id: close
    action: close
    approval: incident-commander
`;
let containAttempts = 0;

/** Tasks hold the close (issue 16): the close step waits while any is open. */
const TASKS_RUNBOOK = `
id: slack-ops-tasks
version: 1
title: Close waits for the war room's tasks
scenario: generic
severity: high
steps:
  - id: close
    action: close
    approval: incident-commander
    with:
      requireTasksDone: true
`;
/** Every event the incidents shipped to the audit activity, in the order shipped. */
const audited: DomainEvent[] = [];

const QUEUE = 'slack-ops-real';
/** What the stand-in circuit activities were asked to close, in order. */
const closedCalls: Array<{ breakers: string[]; approvalId: string; controlTopic?: string }> = [];
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
      // Kafka is not part of this harness: the circuit activities answer as the real ones would.
      async openCircuits(input: { breakers: Record<string, { topic: string; principals: string[] }> }) {
        const opened = Object.entries(input.breakers).map(([breaker, rule]) => ({ breaker, topic: rule.topic, principals: rule.principals, addedDenyBindings: [] }));
        return { events: opened.map((data) => ({ type: 'CircuitOpened', at: new Date().toISOString(), actor: { kind: 'system', id: 'activity:break-circuits' }, data })), result: opened };
      },
      async closeCircuits(input: { opened: Array<{ breaker: string; topic: string; principals: string[] }>; approvalId: string; controlTopic?: string }) {
        closedCalls.push({ breakers: input.opened.map((o) => o.breaker), approvalId: input.approvalId, ...(input.controlTopic ? { controlTopic: input.controlTopic } : {}) });
        const events = input.opened.map((o) => ({
          type: 'CircuitClosed',
          at: new Date().toISOString(),
          actor: { kind: 'system', id: 'activity:break-circuits' },
          data: { breaker: o.breaker, topic: o.topic, principals: o.principals, approvalId: input.approvalId },
        }));
        return { events };
      },
      async contain() {
        containAttempts++;
        throw ApplicationFailure.create({ type: 'KafkaUnavailable', message: 'no broker answered', nonRetryable: true });
      },
      async ensureAuditTopic() {},
      async appendAudit(input: { events: unknown[] }) {
        audited.push(...(input.events as DomainEvent[]));
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

function alert(fingerprint = 'slackopsreal'): Alert {
  const now = new Date().toISOString();
  return {
    source: 'generic',
    alertId: `real-${fingerprint}`,
    rule: 'slack-ops-test',
    severity: 'high',
    title: 'Slack operations against the real playbook',
    principal: 'User:report-exporter',
    asset: 'orders',
    scenario: 'generic',
    observedAt: now,
    receivedAt: now,
    fingerprint,
  };
}

describe('the /ir commands against the real incident workflow', () => {
  it('shows the pending close, a responder cannot approve it, the commander does and the incident closes', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert(), runbook: parseRunbook(RUNBOOK, 'slack-ops-close.yaml') });
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingApprovals.length, { timeout: 20_000 }).toBe(1);

    const opts = { replyTimeoutMs: 10_000 };
    const status = await h.signed.slashCommand({ text: `status ${workflowId}`, userId: 'U0RESPONDER' }, opts);
    // The incident's own channel messages may arrive next to the answer: the card is the reply with blocks.
    expect(JSON.stringify(status.replies.find((r) => r.blocks !== undefined)?.blocks)).toContain('`close` (close) — awaiting-approval');

    const refused = await h.signed.slashCommand({ text: `approve ${workflowId}`, userId: 'U0RESPONDER' }, opts);
    expect(refused.replies.map((r) => r.text).join('\n')).toContain('`approve` permission');

    const approved = await h.signed.slashCommand({ text: `approve ${workflowId}`, userId: 'U0COMMANDER' }, opts);
    expect(approved.replies.map((r) => r.text).join('\n')).toContain('approved by <@U0COMMANDER>');
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');

    // The incident's own "closed" message may land next to the answer: ask until the report is among the replies.
    const reportText = async (): Promise<string> =>
      (await h.signed.slashCommand({ text: `report ${workflowId}`, userId: 'U0COMMANDER' }, opts)).replies.map((r) => r.text ?? '').join('\n');
    await expect.poll(reportText, { timeout: 30_000 }).toContain('# Incident report: Slack operations against the real playbook');
  });

  it('closes a breaker and then the incident from Slack, and records a refused command as ActionRefused', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert('slackopsbreakers'), runbook: parseRunbook(BREAKER_RUNBOOK, 'slack-ops-breakers.yaml') });
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingApprovals.length, { timeout: 20_000 }).toBe(1);
    expect(Object.values((await h.incidents.state(workflowId)).breakers).map((b) => b.state)).toEqual(['open', 'open']);
    // The incident's own channel messages arrive next to the command's answer: wait for both, then pick.
    const opts = { replyTimeoutMs: 10_000, expectReplies: 2 };
    const texts = (r: { replies: ReadonlyArray<{ text?: string }> }): string => r.replies.map((x) => x.text ?? '').join('\n');

    const breaker = await h.signed.slashCommand({ text: `breaker close orders-to-analytics ${workflowId}`, userId: 'U0COMMANDER' }, opts);
    expect(texts(breaker)).toContain(`Breaker \`orders-to-analytics\` of \`${workflowId}\` is now closed`);
    let s = await h.incidents.state(workflowId);
    expect(s.breakers['orders-to-analytics']?.state).toBe('closed');
    expect(s.breakers['orders-to-data-lake']?.state).toBe('open');
    const grant = s.decisions.find((d) => d.breaker === 'orders-to-analytics');
    expect(grant).toMatchObject({ approver: 'U0COMMANDER', granted: true });
    expect(closedCalls).toEqual([{ breakers: ['orders-to-analytics'], approvalId: grant?.approvalId, controlTopic: 'breachline.control' }]);

    // The breaker Update refuses precisely, and nothing moves: the state it is in, a name the runbook lacks.
    const ask = async (text: string): Promise<string> => texts(await h.signed.slashCommand({ text, userId: 'U0COMMANDER', channel: '#general' }, { replyTimeoutMs: 10_000 }));
    expect(await ask(`breaker close orders-to-analytics ${workflowId}`)).toContain('refused: breaker "orders-to-analytics" is already closed');
    expect(await ask(`breaker open orders-to-nowhere ${workflowId}`)).toContain('refused: breaker "orders-to-nowhere" is not defined by the runbook; defined: orders-to-analytics, orders-to-data-lake');
    expect(closedCalls).toHaveLength(1);

    const refused = await h.signed.slashCommand({ text: `close ${workflowId} not my call`, userId: 'U0RESPONDER' }, { replyTimeoutMs: 10_000 });
    expect(texts(refused)).toContain('`close` permission');
    await expect.poll(async () => (await h.incidents.events(workflowId)).filter((e) => e.type === 'ActionRefused').length, { timeout: 20_000 }).toBe(1);
    s = await h.incidents.state(workflowId);
    expect(s.status).not.toBe('closed');
    expect(s.refusals[0]).toMatchObject({ userId: 'U0RESPONDER', role: 'responder', action: 'close' });

    const closed = await h.signed.slashCommand({ text: `close ${workflowId} contained, analytics back`, userId: 'U0COMMANDER' }, opts);
    expect(texts(closed)).toContain('closed by U0COMMANDER (contained, analytics back');
    s = await h.incidents.state(workflowId);
    expect(s.status).toBe('closed');
    expect(s.closure?.resolution).toBe('contained, analytics back');
    expect(Object.values(s.breakers).every((b) => b.state === 'closed')).toBe(true);
    // The data-lake breaker was closed by the close step, under the close approval.
    expect(closedCalls.map((c) => c.breakers)).toEqual([['orders-to-analytics'], ['orders-to-data-lake']]);
  });

  it('a failed step needs attention: a responder may retry but not skip; the commander skips with a reason, then aborts', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert('slackopsattention'), runbook: parseRunbook(FAILING_RUNBOOK, 'slack-ops-attention.yaml') });
    await expect.poll(async () => (await h.incidents.state(workflowId)).attention.length, { timeout: 20_000 }).toBe(1);
    const opts = { replyTimeoutMs: 10_000 };
    // Decisions move the incident, whose own channel message arrives next to the answer.
    const both = { replyTimeoutMs: 10_000, expectReplies: 2 };
    const texts = (r: { replies: ReadonlyArray<{ text?: string }> }): string => r.replies.map((x) => x.text ?? '').join('\n');

    const status = await h.signed.slashCommand({ text: `status ${workflowId}`, userId: 'U0RESPONDER' }, both);
    expect(JSON.stringify(status.replies)).toContain('needs-attention (containing)');

    const noSkip = await h.signed.slashCommand({ text: `skip ${workflowId} contain done by hand`, userId: 'U0RESPONDER' }, opts);
    expect(texts(noSkip)).toContain('`skip` permission');
    const wrongStep = await h.signed.slashCommand({ text: `retry ${workflowId} close`, userId: 'U0RESPONDER' }, opts);
    expect(texts(wrongStep)).toContain('refused: "close" is not waiting for a decision; waiting: "contain"');

    const retried = await h.signed.slashCommand({ text: `retry ${workflowId} contain`, userId: 'U0RESPONDER' }, both);
    expect(texts(retried)).toContain('step "contain" will be tried again');
    await expect.poll(async () => (await h.incidents.state(workflowId)).steps.find((st) => st.id === 'contain')?.attempts, { timeout: 20_000 }).toBe(2);
    await expect.poll(async () => (await h.incidents.state(workflowId)).attention.length, { timeout: 20_000 }).toBe(1);
    expect(containAttempts).toBe(2);

    const skipped = await h.signed.slashCommand({ text: `skip ${workflowId} contain ACLs removed by hand on the brokers`, userId: 'U0COMMANDER' }, both);
    expect(texts(skipped)).toContain('step "contain" skipped');
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingApprovals.map((a) => a.stepId), { timeout: 20_000 }).toEqual(['close']);

    const aborted = await h.signed.slashCommand({ text: `abort ${workflowId} exercise over`, userId: 'U0COMMANDER' }, both);
    expect(texts(aborted)).toContain('incident aborted');
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');
    const s = await h.incidents.state(workflowId);
    expect(s.closure?.resolution).toBe('aborted by U0COMMANDER: exercise over');
    expect(s.steps.find((st) => st.id === 'contain')?.status).toBe('skipped');
  });

  it('notes, tasks and follow-ups: accepted from responders up, refused for observers (an unknown id alike), bad input answered; the close waits for open tasks', async () => {
    const { workflowId } = await openIncident({ client: h.client, taskQueue: QUEUE, alert: alert('slackopstasks'), runbook: parseRunbook(TASKS_RUNBOOK, 'slack-ops-tasks.yaml') });
    await expect.poll(async () => (await h.incidents.state(workflowId)).pendingApprovals.length, { timeout: 20_000 }).toBe(1);
    // Asked from #general: the incident's own messages go to #incidents and do not mix with the answers.
    const say = async (userId: string, text: string): Promise<string> =>
      (await h.signed.slashCommand({ text, userId, channel: '#general' }, { replyTimeoutMs: 10_000 })).replies.map((r) => r.text ?? '').join('\n');
    const shipped = (type: DomainEvent['type']) => audited.filter((e) => e.incidentId === workflowId && e.type === type);

    // Observers may not, and cannot tell a real incident from an unknown one by the answer.
    const refusedReal = await say(OBSERVER, `note ${workflowId} hello`);
    expect(refusedReal).toContain('`note` permission');
    expect(await say(OBSERVER, 'note incident-doesnotexist hello')).toBe(refusedReal);
    expect(await say(OBSERVER, `task ${workflowId} @rita do it`)).toContain('`task` permission');
    expect(await say(OBSERVER, `follow-up ${workflowId} later`)).toContain('`follow-up` permission');

    // A note is text: recorded as typed, answered without pinging anyone or linking anywhere.
    expect(await say('U0RESPONDER', `note ${workflowId} <!channel> see <https://evil.example|the runbook>`)).toContain('note recorded');
    await expect.poll(() => shipped('NoteAdded').map((e) => e.data), { timeout: 20_000 }).toEqual([{ text: '<!channel> see <https://evil.example|the runbook>', addedBy: 'U0RESPONDER', role: 'responder' }]);

    expect(await say('U0RESPONDER', `task ${workflowId} @rita rotate the exporter's keys`)).toContain('task 1 added for rita');
    expect(await say('U0COMMANDER', `task ${workflowId} <@U0DPOFFICER|dpo> check the notice`)).toContain('task 2 added for U0DPOFFICER');
    expect(await say('U0DPOFFICER', `follow-up ${workflowId} review retention of orders`)).toContain('follow-up recorded');
    await expect.poll(() => shipped('TaskAdded').map((e) => (e.data as { number: number }).number), { timeout: 20_000 }).toEqual([1, 2]);
    await expect.poll(() => shipped('FollowUpAdded').length, { timeout: 20_000 }).toBe(1);

    // Bad input is answered precisely.
    expect(await say('U0RESPONDER', `note ${workflowId}`)).toContain('the note text is required');
    expect(await say('U0RESPONDER', `note ${workflowId} ${'x'.repeat(1001)}`)).toContain('keep it within 1000');
    expect(await say('U0RESPONDER', `task ${workflowId} <script> do it`)).toContain('the assignee is');
    expect(await say('U0RESPONDER', `task done ${workflowId} one`)).toContain('is not a task number');
    expect(await say('U0RESPONDER', `task done ${workflowId} 7`)).toContain('refused: there is no task 7 (tasks: 1, 2)');

    // The card (as /ir status shows it) counts the open tasks.
    const status = await h.signed.slashCommand({ text: `status ${workflowId}`, userId: 'U0RESPONDER', channel: '#general' }, { replyTimeoutMs: 10_000 });
    expect(status.replies[0]?.text).toContain('2 open tasks');
    expect(JSON.stringify(status.replies[0]?.blocks)).toContain('*Tasks*: 2 open of 2');
    expect(JSON.stringify(status.replies[0]?.blocks)).toContain('&lt;!channel&gt;');

    // Closing is held while tasks are open: the Update says which.
    expect(await say('U0COMMANDER', `close ${workflowId} all done`)).toContain('refused: closing is held until every task is done; open: task 1, task 2');
    expect(await say('U0RESPONDER', `task done ${workflowId} 1`)).toContain('task 1 done; open: 2');
    expect(await say('U0RESPONDER', `task done ${workflowId} 1`)).toContain('refused: task 1 was done already, by U0RESPONDER');
    // An older client's close signal skips the validator: the close step itself holds until task 2 is done.
    await h.client.workflow.getHandle(workflowId).signal(closeSignal, { closedBy: 'U0COMMANDER', role: 'incident-commander', resolution: 'all done' });
    await expect.poll(() => h.slack.workspace.allMessages().some((m) => m.text.includes(`Closing ${workflowId} waits for its open tasks: 2`)), { timeout: 20_000 }).toBe(true);
    expect((await h.incidents.state(workflowId)).status).not.toBe('closed');
    expect(await say('U0DPOFFICER', `task done ${workflowId} 2`)).toContain('task 2 done; no task is open');
    await expect.poll(async () => (await h.incidents.state(workflowId)).status, { timeout: 20_000 }).toBe('closed');

    // The report lists the tasks and the follow-up; the close names the follow-up as open.
    const s = await h.incidents.state(workflowId);
    expect(s.closure?.openItems).toEqual(['follow-up: review retention of orders']);
    const report = await h.client.workflow.getHandle(workflowId).query(reportQuery);
    expect(report).toContain('## Tasks');
    expect(report).toContain('0 open of 2.');
    expect(report).toContain('| review retention of orders |');
  });
});
