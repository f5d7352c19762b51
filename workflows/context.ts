import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Actor, EventDataMap } from '../src/domain/events';
import { presetOf } from '../src/domain/action-registry';
import type { AnyPlannedStep, PlannedStep } from '../src/domain/runbook';
import type { IncidentWorkflowInput, StepInput } from '../src/domain/step-contract';
import type { CloseSignal, EvidenceProgress } from './api';
import type { Approvals } from './approvals';
import type { OperatorDecisions } from './attention';
import type { Continuation } from './continuation';
import type { Lock } from './operator-signals';
import type { Ledger } from './ledger';
import { auditAppend, bestEffortNotify, fastControlPlane, longEvidenceJob, PRESETS, withTimeout } from './options';
import type { Saga } from './saga';

/** Every activity the playbook can call, as the worker registers them. */
export type PlaybookActivities = ReturnType<typeof createActivities>;

/** Forensic findings as the `investigate` activity returns them. */
export type Findings = NonNullable<Awaited<ReturnType<PlaybookActivities['investigate']>>['result']>;

/** The orchestrator itself as an event actor. */
export const WORKFLOW_ACTOR: Actor = { kind: 'system', id: 'workflow' };

/** Activity proxies for one step, with the step's runbook timeout applied to its action's preset (registry). */
export function stepActivities(step: AnyPlannedStep): PlaybookActivities {
  return proxyActivities<PlaybookActivities>(withTimeout(PRESETS[presetOf(step.action)], step.timeoutMs));
}

/** Proxies for compensations: they restore access, so they get the control-plane preset. */
export const controlPlane = (): PlaybookActivities => proxyActivities<PlaybookActivities>(fastControlPlane);
/** Proxies for chat messages. */
export const notifier = (): PlaybookActivities => proxyActivities<PlaybookActivities>(bestEffortNotify);
/** Proxies for audit appends and the report. */
export const recorder = (options: ActivityOptions = auditAppend): PlaybookActivities => proxyActivities<PlaybookActivities>(options);

/** What every part of one incident run shares. */
export interface Run {
  input: IncidentWorkflowInput;
  workflowId: string;
  ledger: Ledger;
  saga: Saga;
  approvals: Approvals;
  /** Posts to the incident channel without waiting (best effort, never on the critical path). */
  notify(text: string): void;
  /** Posts progress that moves (evidence replay): one message, edited in place as it advances. */
  progress(text: string): void;
  /** The forensic result, once the forensics step has run. */
  findings?: Findings;
  /** Breakers opened per step, to close them exactly. */
  opened: Record<string, Array<EventDataMap['CircuitOpened']>>;
  /** Evidence replay running in the background; awaited before report and close. */
  evidence?: Promise<void>;
  /** Regulatory clock child workflows by regime. */
  clocks: Record<string, { workflowId: string }>;
  /** Serialises everything that opens or closes breakers. */
  breakerLock: Lock;
  /** A close asked for from Slack, granted when the close step asks (see operator-signals). */
  closeRequest?: CloseSignal;
  /** Operators' retry / skip / abort decisions for what needs attention. */
  decisions: OperatorDecisions;
  /** Evidence jobs (`topic:partition`) fully preserved, so a retried step replays only the rest. */
  evidenceDone: Set<string>;
  /** Background activities awaited before the workflow returns. */
  background: Array<Promise<unknown>>;
  /** The evidence progress message, once posted: later progress edits it in place. */
  progressRef?: { channelId: string; ts: string };
  /** When and where this run continues as new (issue 9). */
  continuation: Continuation;
  // issue 13: evidence progress, as `evidenceProgressQuery` answers it.
  evidenceProgress?: EvidenceProgress;
}

/**
 * Proxies for the chunked evidence replay (issue 13), on the incident's evidence task queue so
 * separate worker processes can take that load; the incident's own queue when none is set.
 */
export function evidenceActivities(run: Run, step: PlannedStep): PlaybookActivities {
  const queue = run.input.evidenceTaskQueue;
  return proxyActivities<PlaybookActivities>({ ...withTimeout(longEvidenceJob, step.timeoutMs), ...(queue !== undefined ? { taskQueue: queue } : {}) });
}

/** The common part of a step activity's input. */
export function stepInput<S extends PlannedStep>(run: Run, step: S): StepInput<S['action']> {
  return {
    incidentId: run.input.incidentId,
    stepId: step.id,
    stepKey: `${run.input.incidentId}/${step.id}`,
    mode: run.input.mode,
    principal: run.input.principal,
    params: step.params,
  } as StepInput<S['action']>;
}

/** The workflow's clock as an ISO instant (deterministic inside a workflow). */
export function nowIso(): string {
  return new Date().toISOString();
}
