import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import type { IncidentState } from '../../../src/domain/incident';
import { alertFingerprint } from '../../../src/ingress/fingerprint';
import { eventsQuery, incidentWorkflowId } from '../../../workflows/api';
import { playbookBundle, quietRuntime } from '../../unit/workflows/helpers';
import { stubActivities, type StubRecord } from '../../unit/workflows/stub-activities';
import { ALERT_SOURCES, type AlertSource } from '../../../src/domain/alert';
import { fixture, postAlert, recorded, startRig, type IngressRig } from './helpers';

/*
 * Routing as data (issue 17): an alert that no runbook serves opens a triage incident. Through the
 * real ingress, the Temporal sandbox and the real incident workflow on an SDK worker (the step
 * activities are the recording stand-ins): the incident runs the triage runbook, tells people,
 * and does nothing else: no containment, no rotation, no breaker, no forensics, no clock.
 */

let rig: IngressRig;
let worker: Worker;
let running: Promise<void>;
let record: StubRecord;

beforeAll(async () => {
  quietRuntime();
  rig = await startRig();
  const stubs = stubActivities();
  record = stubs.record;
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: rig.sandbox.address }),
    taskQueue: 'breachline-test',
    workflowBundle: await playbookBundle(),
    activities: stubs.activities,
  });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await rig?.close();
});

/** A generic alert no runbook serves: a disk alert of medium severity that names an asset, no principal. */
const diskAlert = {
  id: 'det-disk-broker-7',
  rule: 'broker-disk-usage-high',
  title: 'Broker 7 data disk at 91%',
  severity: 'medium',
  asset: 'kafka-broker-7',
  observedAt: '2026-11-21T03:45:12Z',
};

describe('an alert no runbook serves', () => {
  it('opens a triage incident that notifies the on-call people and runs nothing else', async () => {
    const answer = await postAlert(rig.url, 'generic', diskAlert);
    expect(answer.status).toBe(202);
    const incidentId = String(answer.body.incidentId);

    const workflowId = incidentWorkflowId(alertFingerprint({ source: 'generic', rule: diskAlert.rule, asset: diskAlert.asset }));
    const handle = rig.client.workflow.getHandle(workflowId);
    // The triage runbook has one step; the incident completes after it (the proving event).
    const final = (await handle.result()) as IncidentState;
    const { input } = await recorded(rig.client, workflowId);

    expect(input.runbook.id).toBe('triage');
    expect(input.alert).toMatchObject({ rule: 'broker-disk-usage-high', asset: 'kafka-broker-7' });
    expect(input.alert.principal).toBeUndefined();
    expect(input.principal).toBe('(none named)');
    expect(final).toMatchObject({ incidentId, status: 'closed' });

    const events = (await handle.query(eventsQuery)) as DomainEvent[];
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('IncidentOpened');
    expect(events[0]?.data).toMatchObject({ scenario: 'triage', runbook: { id: 'triage', steps: [{ id: 'notify', action: 'notify', approval: 'none' }] } });
    expect(types).not.toContain('RegulatoryClockStarted');
    expect(types).not.toContain('ApprovalRequested');
    expect(types[types.length - 1]).toBe('IncidentClosed');

    // Nothing but messages and the audit trail: the step activities were never called.
    const names = new Set(record.calls.map((c) => c.name));
    expect([...names].filter((n) => !['notify', 'appendAudit', 'ensureAuditTopic'].includes(n))).toEqual([]);
    expect(names.has('notify')).toBe(true);
    expect(record.messages.join('\n')).toContain('incident-commander');
  }, 60_000);
});

/** The reference fixture of a source without the scenario hint: only the rules can route it. */
function unhinted(source: AlertSource): Record<string, unknown> {
  const p = fixture(source) as Record<string, unknown> & { result?: Record<string, unknown>; properties?: { labels?: Array<{ labelName: string }> } };
  delete p.scenario;
  delete p.breachline;
  if (p.result) delete p.result.breachline_scenario;
  if (p.properties?.labels) p.properties.labels = p.properties.labels.filter((l) => !l.labelName.startsWith('breachline.scenario='));
  return p;
}

const RULE_OF: Record<AlertSource, string> = {
  splunk: 'Kafka - bulk read of PII topic by service account',
  elastic: 'Kafka service account reading PII topic outside its baseline',
  sentinel: 'b51f0e6a-93c2-4f0d-8a7e-2c9d1b3e4f5a',
  generic: 'kafka-pii-bulk-read',
};

describe('the reference alerts without a scenario', () => {
  it.each(ALERT_SOURCES)('%s: ingress routes it to kafka-exfiltration by the serves rules', async (source) => {
    const answer = await postAlert(rig.url, source, unhinted(source));
    expect(answer.status).toBe(202);
    const workflowId = incidentWorkflowId(alertFingerprint({ source, rule: RULE_OF[source], principal: 'User:report-exporter' }));
    const { input } = await recorded(rig.client, workflowId);
    expect(input.alert.scenario).toBeUndefined();
    expect(input.runbook.id).toBe('kafka-exfiltration');
    expect(input.principal).toBe('User:report-exporter');
  }, 30_000);
});
