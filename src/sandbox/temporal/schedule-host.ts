import { requestCancelRun, terminateRun } from './control';
import type { Engine } from './engine';
import { startWorkflow } from './frontend';
import { temporal } from './proto';
import type { ScheduleHost } from './schedules/types';

/** The schedule manager's view of the server: clock, timer queue, workflow starts, journal. */
export function createScheduleHost(engine: Engine): ScheduleHost {
  const runOf = (namespace: string, workflowId: string, runId: string) =>
    engine.namespaces.get(namespace)?.executions.get(workflowId)?.find((r) => r.runId === runId);
  return {
    now: () => engine.clock.now(),
    setTimer: (at, fire) => engine.clock.setTimer(at, fire),
    startWorkflow: (namespace, workflowId, action, extra) => {
      try {
        const { run } = startWorkflow(
          engine,
          {
            namespace, workflowId, workflowType: action.workflowType, taskQueue: action.taskQueue, input: action.input,
            workflowExecutionTimeout: action.workflowExecutionTimeout, workflowRunTimeout: action.workflowRunTimeout,
            workflowTaskTimeout: action.workflowTaskTimeout, retryPolicy: action.retryPolicy, header: action.header,
            memo: extra.memo ?? action.memo, searchAttributes: extra.searchAttributes ?? action.searchAttributes,
            workflowIdReusePolicy: action.workflowIdReusePolicy, identity: 'temporal-scheduler',
          },
          { defaultConflict: temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL },
        );
        return Promise.resolve({ runId: run.runId });
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    isRunning: (namespace, workflowId, runId) => runOf(namespace, workflowId, runId)?.status === 'Running',
    cancelWorkflow: (namespace, workflowId, runId, reason) => {
      const run = runOf(namespace, workflowId, runId);
      if (run) requestCancelRun(engine, run, { reason, identity: 'temporal-scheduler' });
      return Promise.resolve();
    },
    terminateWorkflow: (namespace, workflowId, runId, reason) => {
      const run = runOf(namespace, workflowId, runId);
      if (run) terminateRun(engine, run, reason, undefined, 'temporal-scheduler');
      return Promise.resolve();
    },
    onWorkflowClosed: (listener) => {
      engine.closeListeners.push(listener);
    },
    journal: (record) => engine.record({ k: 'sched', r: record }),
    searchAttributeType: (namespace, name) => engine.namespaces.get(namespace)?.searchAttributes.typeOf(name),
  };
}
