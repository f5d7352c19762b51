import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentWorkflowInput } from '../../../src/domain/step-contract';
import { createTemporalIncidentPort } from '../../../src/slack/commands/temporal-incidents';
import { fixture, postAlert, startRig, type IngressRig } from '../ingress/helpers';

/*
 * Incident identity across a re-open, through the real ingress server and the Temporal sandbox
 * with the real client (no worker: the runs only need to exist). The workflow id stays the dedupe
 * slot; each run after a close is a new incident `incident-<fp>.<n>` linked to the previous one,
 * and Slack's resolution finds each generation's own run.
 */

let rig: IngressRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

async function startInput(workflowId: string, runId: string): Promise<IncidentWorkflowInput> {
  const history = await rig.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const { defaultPayloadConverter } = await import('@temporalio/common');
  return defaultPayloadConverter.fromPayload(started?.input?.payloads?.[0] ?? {}) as IncidentWorkflowInput;
}

describe('re-opened fingerprints', () => {
  it('a later alert after close opens generation 2 linked to generation 1; duplicates join the open one; Slack resolves each', async () => {
    const payload = fixture('splunk');
    const first = await postAlert(rig.url, 'splunk', payload);
    expect(first.status).toBe(202);
    const workflowId = String(first.body.incidentId);
    expect(workflowId).toMatch(/^incident-[0-9a-f]+$/);
    const run1 = (await rig.client.workflow.getHandle(workflowId).describe()).runId;
    expect((await rig.client.workflow.getHandle(workflowId).describe()).memo).toEqual({ generation: 1, incidentId: workflowId });

    await rig.client.workflow.getHandle(workflowId).terminate('closed for the test');
    const reopened = await postAlert(rig.url, 'splunk', { ...payload, sid: 'scheduler__admin__search__later_run' });
    expect(reopened.status).toBe(202);
    expect(reopened.body).toEqual({ incidentId: `${workflowId}.2`, duplicate: false });
    const d2 = await rig.client.workflow.getHandle(workflowId).describe();
    expect(d2.runId).not.toBe(run1);
    expect(d2.memo).toEqual({ generation: 2, incidentId: `${workflowId}.2`, previousIncidentId: workflowId });
    expect(await startInput(workflowId, d2.runId)).toMatchObject({ incidentId: `${workflowId}.2`, previousIncidentId: workflowId });

    const duplicate = await postAlert(rig.url, 'splunk', { ...payload, sid: 'scheduler__admin__search__third_run' });
    expect(duplicate.body).toEqual({ incidentId: `${workflowId}.2`, duplicate: true });
    expect((await rig.client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(2);

    const port = createTemporalIncidentPort(rig.client);
    expect(await port.resolve(`${workflowId}.2`)).toBe(workflowId);
    expect(await port.resolve(workflowId)).toBe(`${workflowId}::${run1}`);
    expect(await port.resolve(`${workflowId}.3`)).toBeUndefined();
    expect(await port.resolve("incident-x' OR WorkflowId != '")).toBeUndefined();
  });
});
