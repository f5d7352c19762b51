import { CancellationScope, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Alert } from '../src/domain/alert';
import type { Actor } from '../src/domain/events';
import { parseDuration } from '../src/domain/duration';
import { timeline, type IncidentState } from '../src/domain/incident';
import { renderReport } from '../src/domain/report';
import { planSteps, runbookStepOf, stepRefs } from '../src/domain/runbook';
import type { IncidentWorkflowInput } from '../src/domain/step-contract';
import {
  alertSignal,
  alertBatchSignal,
  approveSignal,
  breakerSignal,
  closeSignal,
  denySignal,
  eventsQuery,
  falsePositiveSignal,
  refusalSignal,
  abortUpdate,
  reportQuery,
  retryStepUpdate,
  skipStepUpdate,
  stateQuery,
  timelineQuery,
  type FalsePositiveSignal,
} from './api';
import { Approvals } from './approvals';
import { OperatorDecisions } from './attention';
import { notNotifiableOnFalsePositive, registerClockHandlers, startClocks } from './clocks';
import { notifier, nowIso, recorder, WORKFLOW_ACTOR, type Run } from './context';
import { continuationFor, continueIncident, ContinueAsNewDue, drain, evidenceOrContinue, resume } from './continuation';
import { Ledger } from './ledger';
import { Lock, operateBreaker, recordRefusal, requestClose } from './operator-signals';
import { registerOperatorUpdates } from './operator-updates';
import { registerWarRoomUpdates } from './war-room-updates';
import { registerBreakerUpdate } from './breaker-update';
import { humanWait } from './options';
import { Saga } from './saga';
import { openItems, planStep, runStep } from './incident-steps';
import { registerEvidenceHandlers } from './evidence-handlers';
import { registerWaitFor } from './wait-for';


/**
 * The incident playbook: interprets the pinned runbook step by step. It decides; activities act.
 * It is the single writer of the incident's events (numbered and folded by the {@link Ledger},
 * shipped to the audit topic after every step). See docs/playbook.md for the semantics of
 * approvals, failures, compensation, evidence and the regulatory clocks.
 */
export async function IncidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentState> {
  const dryRun = input.mode === 'dry-run';
  const continuation = continuationFor(input);
  const audit = recorder();
  // A run that continued as new does not ask for the audit topic again.
  let auditReady: Promise<void> | undefined = input.carried?.audit.topicReady === true ? Promise.resolve() : undefined;
  // Dry run changes nothing anywhere, the audit topic included.
  const ledger = new Ledger(
    input.incidentId,
    dryRun
      ? undefined
      : async (events) => {
          // Created on the first flush, i.e. after containment has been scheduled.
          auditReady ??= audit.ensureAuditTopic();
          try {
            await auditReady;
            run.continuation.auditTopicReady = true;
          } catch (err) {
            // Cancelled with the playbook (false positive) or failed: the next flush asks again.
            auditReady = undefined;
            throw err;
          }
          await audit.appendAudit({ events });
        },
    (halt, pendingFromSeq) => {
      // Committed (and kept in the workflow) although it cannot be shipped now: it ships first on resume.
      ledger.commit({ type: 'AuditShippingHalted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { error: halt, pendingFromSeq } });
      run.notify(`Audit shipping for ${input.incidentId} halted (${halt.type}: ${halt.message}); events are kept in order. Retry with: retry ${input.incidentId} audit.`);
    },
  );
  const chat = notifier();
  let progressChain: Promise<void> = Promise.resolve();
  const due = (): boolean => continuation.due();
  const run: Run = {
    input,
    workflowId: workflowInfo().workflowId,
    ledger,
    saga: new Saga(),
    approvals: new Approvals(ledger, parseDuration(input.options?.approvalTimeout ?? humanWait.approvalTimeout), due),
    notify(text) {
      if (dryRun) return;
      run.background.push(chat.notify({ incidentId: input.incidentId, text }).catch(() => undefined));
    },
    progress(text) {
      if (dryRun) return;
      // Chained, so each edit knows the message the first post created; a lost post just posts anew.
      progressChain = progressChain.then(async () => {
        const replace = run.progressRef;
        const out = await chat.notify({ incidentId: input.incidentId, text, ...(replace !== undefined ? { replace } : {}) }).catch(() => undefined);
        if (out?.ref !== undefined) run.progressRef = out.ref;
      });
      run.background.push(progressChain);
    },
    opened: {},
    breakerLock: new Lock(),
    clocks: {},
    background: [],
    decisions: new OperatorDecisions(ledger, due),
    evidenceDone: new Set(),
    continuation,
  };

  if (input.carried !== undefined) {
    // Continued as new: the events are the state; the clocks run on from the first run.
    resume(run, input.carried);
  } else {
    open(run);
    // Regulatory clocks run from open, outside the playbook: no step, failure or cancel stops them.
    startClocks(run);
  }
  registerClockHandlers(run);
  let falsePositive: FalsePositiveSignal | undefined;
  const playbook = new CancellationScope();

  setHandler(alertSignal, (alert) => {
    if (correlate(run, alert)) ledger.flushInBackground();
  });
  // A new handler, no new command for old histories (they never carry this signal): no patch needed.
  setHandler(alertBatchSignal, (alerts) => {
    let recorded = false;
    for (const alert of alerts) recorded = correlate(run, alert) || recorded;
    if (recorded) ledger.flushInBackground();
  });
  const ignored = (signal: { stepId: string; approver: string; role: string }): void =>
    run.notify(`Decision by ${signal.approver} (${signal.role}) on step "${signal.stepId}" ignored: no pending approval for that role.`);
  setHandler(approveSignal, (signal) => {
    if (!run.approvals.receive({ granted: true, signal })) ignored(signal);
  });
  setHandler(denySignal, (signal) => {
    if (!run.approvals.receive({ granted: false, signal })) ignored(signal);
  });
  setHandler(falsePositiveSignal, (signal) => {
    if (falsePositive !== undefined || ledger.state?.status === 'closed') return;
    falsePositive = signal;
    playbook.cancel();
  });
  setHandler(breakerSignal, (signal) => {
    run.background.push(operateBreaker(run, signal).catch((err: unknown) => run.notify(`Breaker "${signal.breaker}" request failed: ${String(err)}`)));
  });
  setHandler(closeSignal, (signal) => requestClose(run, signal));
  setHandler(refusalSignal, (signal) => recordRefusal(run, signal));
  setHandler(stateQuery, () => ledger.open);
  setHandler(timelineQuery, () => timeline(ledger.events));
  setHandler(eventsQuery, () => ledger.events);
  // Evidence at line rate (issue 13).
  registerEvidenceHandlers(run);
  // The same report the report step posts: with or without the timeline, as the runbook says.
  const includeTimeline = runbookStepOf(input.runbook, 'report')?.with?.includeTimeline ?? true;
  setHandler(reportQuery, () => renderReport(ledger.events, { includeTimeline }));
  registerOperatorUpdates(run);
  // War room: notes, tasks and follow-ups (issue 16). New handlers: no patch needed.
  registerWarRoomUpdates(run);
  // Breakers as an Update (issue 16); the breaker signal stays for older clients. No patch needed.
  registerBreakerUpdate(run);
  // wait-for answers (issue 17, item 3). A new handler: no patch needed.
  registerWaitFor(run);
  setHandler(retryStepUpdate, (req) => run.decisions.retry(req), { validator: (req) => run.decisions.validateRetry(req) });
  setHandler(skipStepUpdate, (req) => run.decisions.skip(req), { validator: (req) => run.decisions.validateSkip(req) });
  setHandler(
    abortUpdate,
    (req) => {
      const answer = run.decisions.abort(req);
      playbook.cancel();
      return answer;
    },
    { validator: (req) => run.decisions.validateAbort(req) },
  );

  try {
    await playbook.run(async () => {
      const steps = planSteps(input.runbook);
      for (const [index, step] of steps.entries()) {
        // A continued run resumes at the step the last one stood at.
        if (index < continuation.stepIndex) continue;
        continuation.stepIndex = index;
        const running = dryRun ? planStep(run, step) : runStep(run, step);
        // Containment is scheduled first; the opening message follows without being awaited.
        if (index === 0 && continuation.generation === 0) run.notify(`Incident ${input.incidentId} opened: ${input.alert.title} (${input.alert.severity}); principal ${input.principal}.`);
        await running;
        // Between steps is a safe point too.
        if (continuation.due() && ledger.open.status !== 'closed' && index + 1 < steps.length) {
          continuation.stepIndex = index + 1;
          throw new ContinueAsNewDue();
        }
      }
      // Past the last step: a run continued from here only waits for the evidence and closes.
      continuation.stepIndex = steps.length;
      await (continuation.enabled ? evidenceOrContinue(run) : run.evidence);
      if (ledger.open.status !== 'closed') {
        ledger.commit({
          type: 'IncidentClosed',
          at: nowIso(),
          actor: WORKFLOW_ACTOR,
          data: dryRun
            ? { resolution: `dry run: ${steps.length} steps planned, nothing changed`, openItems: [] }
            : { resolution: 'runbook completed', openItems: openItems(run) },
        });
      }
      await ledger.flush();
    });
  } catch (err) {
    let cause = err;
    if (err instanceof ContinueAsNewDue) {
      // Cancellable: a cancel while draining unwinds like any other.
      cause = await drain(run).then(
        () => undefined,
        (e: unknown) => e,
      );
      // A false positive or an abort that came in while draining is carried out here instead.
      if (cause === undefined && falsePositive === undefined && run.decisions.aborted === undefined) return continueIncident(run);
      ledger.release();
      run.decisions.release();
    }
    if (cause !== undefined && !isCancellation(cause)) throw cause;
    await CancellationScope.nonCancellable(() => unwind(run, interruption(run, falsePositive)));
    // A false positive and an operator's abort are decisions, not failures: the run completes.
    if (falsePositive === undefined && run.decisions.aborted === undefined) throw cause;
  }
  await Promise.all(run.background);
  return ledger.open;
}

/** `IncidentOpened`, then the first alert. */
function open(run: Run): void {
  const { input, ledger } = run;
  ledger.commit({
    type: 'IncidentOpened',
    at: nowIso(),
    actor: WORKFLOW_ACTOR,
    data: {
      title: input.alert.title,
      severity: input.alert.severity,
      scenario: input.runbook.scenario,
      mode: input.mode,
      principal: input.principal,
      fingerprint: input.alert.fingerprint,
      runbook: { id: input.runbook.id, version: input.runbook.version, contentHash: input.runbookContentHash, steps: stepRefs(input.runbook) },
      ...(input.previousIncidentId !== undefined ? { previousIncidentId: input.previousIncidentId } : {}),
    },
  });
  correlate(run, input.alert);
}

/** Records an alert once per SIEM alert id (signalWithStart delivers the first one twice). */
function correlate(run: Run, alert: Alert): boolean {
  const seen = run.ledger.events.some((e) => e.type === 'AlertCorrelated' && e.data.alertId === alert.alertId && e.data.source === alert.source);
  if (seen || run.ledger.state === undefined || run.ledger.state.status === 'closed') return false;
  run.ledger.commit({
    type: 'AlertCorrelated',
    at: nowIso(),
    actor: { kind: 'siem', id: alert.source },
    data: { source: alert.source, alertId: alert.alertId, rule: alert.rule, fingerprint: alert.fingerprint, receivedAt: alert.receivedAt },
  });
  return true;
}

/** Why the playbook was interrupted, for the events and the channel. */
interface Interruption {
  /** `StepFailed.error.type` of the steps it cut short. */
  type: 'Cancelled' | 'FalsePositive' | 'Aborted';
  actor: Actor;
  resolution: string;
  message: string;
  /** Set for a false positive: its reason closes the unfiled regimes as not notifiable. */
  falsePositive?: FalsePositiveSignal;
}

function interruption(run: Run, falsePositive: FalsePositiveSignal | undefined): Interruption {
  const aborted = run.decisions.aborted;
  if (falsePositive !== undefined) {
    return {
      type: 'FalsePositive',
      actor: { kind: 'user', id: falsePositive.declaredBy },
      resolution: `false positive declared by ${falsePositive.declaredBy}: ${falsePositive.reason}`,
      message: 'declared a false positive',
      falsePositive,
    };
  }
  if (aborted !== undefined) {
    return { type: 'Aborted', actor: { kind: 'user', id: aborted.requestedBy }, resolution: `aborted by ${aborted.requestedBy}: ${aborted.reason}`, message: 'aborted' };
  }
  return { type: 'Cancelled', actor: WORKFLOW_ACTOR, resolution: 'cancelled', message: 'cancelled' };
}

/**
 * Cancellation, a declared false positive or an operator's abort: the interrupted steps are
 * recorded as failed, the saga unwinds newest first (breakers closed, then access restored), and
 * the incident closes. Every compensation's events are committed as they come: none is dropped.
 */
async function unwind(run: Run, why: Interruption): Promise<void> {
  const { ledger } = run;
  for (const step of ledger.open.steps.filter((s) => s.status === 'running')) {
    ledger.commit({
      type: 'StepFailed',
      at: nowIso(),
      actor: WORKFLOW_ACTOR,
      data: { stepId: step.id, action: step.action, attempt: step.attempts, error: { type: why.type, message: 'interrupted', retriable: false } },
    });
  }
  await run.saga.unwind((c, output) => {
    for (const draft of output.events) ledger.commit(draft);
    const step = ledger.open.steps.find((s) => s.id === c.stepId);
    if (step !== undefined && step.status !== 'compensated') {
      ledger.commit({ type: 'StepCompensated', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: c.stepId, action: c.action, undone: c.description } });
    }
  });
  if (why.falsePositive !== undefined && ledger.open.status !== 'closed') notNotifiableOnFalsePositive(run, why.falsePositive.declaredBy, why.falsePositive.reason);
  if (ledger.open.status !== 'closed') {
    ledger.commit({ type: 'IncidentClosed', at: nowIso(), actor: why.actor, data: { resolution: why.resolution, openItems: openItems(run) } });
  }
  await ledger.flush();
  run.notify(`Incident ${run.input.incidentId} ${why.message}; remediation undone.`);
}
