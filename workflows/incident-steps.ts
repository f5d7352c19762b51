import { ActivityFailure, ApplicationFailure, condition, isCancellation, patched } from '@temporalio/workflow';
import { builtinAction, type BuiltinPlanContext } from '../src/domain/action-registry';
import type { BuiltinActionName, EventDataMap } from '../src/domain/events';
import { BUILTIN_SUMMARY_TEMPLATE, renderTemplate } from '../src/domain/notify-template';
import { incidentChannelOf, type AnyPlannedStep, type PlannedStep } from '../src/domain/runbook';
import type { EventDraft, StepOutput } from '../src/domain/step-contract';
import { declaredOutputs } from '../src/domain/runbook-references';
import type { Approvals } from './approvals';
import { clockOpenItems, clocksSettled, clockSummary, stopAllClocks } from './clocks';
import { ContinueAsNewDue, evidenceOrContinue } from './continuation';
import { nowIso, recorder, stepActivities, stepInput, WORKFLOW_ACTOR, type Run } from './context';
import { offerClose, closeResolution } from './operator-signals';
import { holdCloseForOpenTasks } from './war-room-updates';
import { workOpenItems } from '../src/domain/incident-notes';
import { fastControlPlane } from './options';
import { performGeneric, planContext, planGeneric } from './generic-step';
import { breakCircuits, closeBreakers, contain, forensics, planEvidence, plannedByWorkflow, preserveEvidence, rotate, type EvidenceJobDone } from './steps';
import type { EvidenceProgress } from './api';
import { planStepParams, resolveStep } from './step-references';
import { WAIT_FOR_ACTION } from '../src/actions/wait-for';
import { runWaitFor, skipStoppedStep } from './wait-for';

type StepOf<A extends PlannedStep['action']> = Extract<PlannedStep, { action: A }>;

/** How many times in a row the close step asks before it waits for a new close request. */
const CLOSE_REQUESTS = 3;

/** The failure's stable type and whether Temporal would have retried it. */
function describeError(err: unknown): EventDataMap['StepFailed']['error'] {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message, retriable: !cause.nonRetryable };
  if (cause instanceof Error) return { type: cause.name, message: cause.message, retriable: false };
  return { type: 'Error', message: String(cause), retriable: false };
}

/** The channel the runbook's notify step posts to, used for every message of the incident. */
export function incidentChannel(run: Run): string {
  return incidentChannelOf(run.input.runbook);
}

/** What became of one attempt at a step: finished (done, refused or skipped), or waiting for an operator. */
type Outcome = 'done' | 'needs-decision';

/**
 * One step in live or drill mode: approval (if gated and not yet given), then `StepStarted` →
 * work → its events → `StepCompleted`. A failure after the activity's retries, or an approval
 * nobody gave in time, does not end the incident: it needs attention, and the step waits for an
 * operator to retry it, skip it (with a reason) or abort the incident. A refused approval skips it.
 */
export async function runStep(run: Run, step: AnyPlannedStep): Promise<void> {
  if (step.kind !== 'generic' && step.action === 'close') return closeStep(run, step);
  // wait-for (issue 17): an answer that stopped the playbook skips every step up to close. Only
  // a history with a wait-for answer has `stoppedBy`, so older histories never get here.
  if (skipStoppedStep(run, step)) return run.ledger.flush();
  // Only a run that continued as new meets a step already waiting for an operator.
  if (run.ledger.open.attention.some((a) => a.stepId === step.id) || run.decisions.pending(step.id)) {
    if ((await run.decisions.await(step.id, true)) !== 'retry') return;
  }
  for (;;) {
    if ((await attemptStep(run, step)) === 'done') return;
    if ((await run.decisions.await(step.id, true)) !== 'retry') return;
  }
}

async function attemptStep(run: Run, step: Exclude<AnyPlannedStep, { action: 'close' }>): Promise<Outcome> {
  // Without a gate nothing is awaited first, so containment is scheduled before anything else.
  const approval = step.approval === 'none' ? 'not-needed' : await approvalFor(run, step);
  if (approval === 'expired') return 'needs-decision';
  if (approval === 'refused') return 'done';
  const approvalId = approval === 'not-needed' ? undefined : approval;
  // Step references (issue 17, item 4): resolved now, from what earlier steps produced. One
  // without a value fails this attempt like any failed step (it then needs attention).
  let target: typeof step;
  try {
    target = resolveStep(run, step);
  } catch (err) {
    return timed(run, step, () => Promise.reject(err));
  }
  if (target.kind === 'generic') {
    const generic = target;
    // wait-for-v1: the workflow waits for an answer itself (a timer and an Update), new commands
    // no earlier history has. 0.2.0 runbooks could not name the action; the patch keeps it so.
    if (generic.action === WAIT_FOR_ACTION && patched('wait-for-v1')) {
      await runWaitFor(run, generic);
      return 'done';
    }
    return timed(run, generic, () => performGeneric(run, generic));
  }
  return runBuiltin(run, target, approvalId);
}

/** A built-in step other than close, and what the workflow does for it. */
type RunnableStep = Exclude<PlannedStep, { action: 'close' }>;
type BuiltinRunner<A extends RunnableStep['action']> = (run: Run, step: StepOf<A>, approvalId: string | undefined) => Promise<Outcome>;

/**
 * The orchestration of each built-in action (close has its own, {@link closeStep}), selected by
 * the action's registry name. Everything else about an action is read from its definition.
 */
const BUILTIN_RUNNERS: { readonly [A in RunnableStep['action']]: BuiltinRunner<A> } = {
  // Their StepOutputs carry the step's declared outputs (issue 17, item 4) to StepCompleted.
  contain: (run, step) => timed(run, step, () => contain(run, step)),
  'rotate-credentials': (run, step) => timed(run, step, () => rotate(run, step)),
  'break-circuits': (run, step, approvalId) => timed(run, step, () => breakCircuits(run, step, approvalId)),
  forensics: (run, step) => timed(run, step, () => forensics(run, step)),
  'preserve-evidence': (run, step) => {
    startEvidence(run, step);
    return Promise.resolve('done');
  },
  notify: (run, step) =>
    timed(run, step, () => {
      run.notify(notifyMessage(run, step));
      return Promise.resolve([]);
    }),
  report: async (run, step) => {
    await (run.continuation.enabled ? evidenceOrContinue(run) : run.evidence);
    return timed(run, step, async () => {
      await run.ledger.flush();
      // `includeTimeline` is sent only when false, so the inputs of earlier incidents stay as they were.
      const timeline = step.params.includeTimeline ? {} : { includeTimeline: false };
      await recorder(fastControlPlane).postReport({ incidentId: run.input.incidentId, throughSeq: run.ledger.open.lastSeq, channel: step.params.channel ?? incidentChannel(run), ...timeline });
      return [];
    });
  },
};

function runBuiltin(run: Run, step: RunnableStep, approvalId: string | undefined): Promise<Outcome> {
  // The table is keyed by action, so the runner found takes this very step's type.
  const runner = BUILTIN_RUNNERS[step.action] as BuiltinRunner<typeof step.action>;
  return runner(run, step as never, approvalId);
}

/**
 * The step's approval: its id once granted (now, or before a failed attempt, which a retry does
 * not ask again for), `not-needed`, `refused`, or `expired` (nobody answered in time).
 */
async function approvalFor(run: Run, step: AnyPlannedStep): Promise<string | 'not-needed' | 'refused' | 'expired'> {
  if (step.approval === 'none') return 'not-needed';
  const given = run.ledger.open.decisions.find((d) => d.stepId === step.id && d.granted && d.breaker === undefined);
  if (given !== undefined) return given.approvalId;
  // Asked by the run this one continues (continue-as-new): wait on, without asking again.
  const pending = run.ledger.open.pendingApprovals.find((a) => a.stepId === step.id && a.breaker === undefined);
  let answer: Awaited<ReturnType<Approvals['request']>>;
  if (pending !== undefined) {
    answer = await run.approvals.resume({ ...pending, role: step.approval });
  } else {
    const asked = run.ledger.events.filter((e) => e.type === 'ApprovalRequested' && e.data.stepId === step.id && e.data.breaker === undefined).length;
    run.notify(`Approval needed from the ${step.approval} for step "${step.id}": ${step.title}.`);
    answer = await run.approvals.request(step.id, step.approval, step.title, `${step.id}/${asked + 1}`);
  }
  await run.ledger.flush();
  if (answer.expired) {
    run.notify(`Nobody approved step "${step.id}" in time; it needs attention: retry (ask again), skip with a reason, or abort.`);
    return 'expired';
  }
  if (!answer.granted) {
    run.notify(`Step "${step.id}" skipped: approval refused.`);
    return 'refused';
  }
  return answer.approvalId;
}

/**
 * Records `StepStarted`, runs the work, folds its events and records the outcome; the work's
 * declared outputs (a `StepOutput`'s) go on `StepCompleted`, only when there are any.
 */
async function timed(run: Run, step: AnyPlannedStep, work: () => Promise<EventDraft[] | StepOutput>): Promise<Outcome> {
  const { ledger } = run;
  const attempt = (ledger.open.steps.find((s) => s.id === step.id)?.attempts ?? 0) + 1;
  const started = Date.now();
  ledger.commit({ type: 'StepStarted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, attempt } });
  let outputs: StepOutput['outputs'];
  try {
    const out = await work();
    for (const draft of Array.isArray(out) ? out : out.events) ledger.commit(draft);
    outputs = Array.isArray(out) ? undefined : declaredOutputs(step.action, out.outputs);
  } catch (err) {
    if (isCancellation(err)) throw err;
    await fail(run, step, attempt, err);
    return 'needs-decision';
  }
  const durationMs = Date.now() - started;
  ledger.commit({ type: 'StepCompleted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, durationMs, ...(outputs !== undefined ? { outputs } : {}) } });
  await ledger.flush();
  return 'done';
}

/** `StepFailed` (which puts the step on the attention list), on the audit topic and in the channel. */
async function fail(run: Run, step: AnyPlannedStep, attempt: number, err: unknown): Promise<void> {
  const error = describeError(err);
  run.ledger.commit({ type: 'StepFailed', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, attempt, error } });
  await run.ledger.flush();
  run.notify(
    `Step "${step.id}" failed (${error.type}: ${error.message}); the incident needs attention. Remediation so far stays in place and the ` +
      `regulatory clocks keep running. Decide: retry ${step.id}, skip ${step.id} <reason>, or abort <reason>.`,
  );
}

/**
 * Evidence replay runs in the background: the playbook goes on to the notifications (design §7)
 * and waits for it only before the report and closing. A partition that fails after its retries
 * does not stop the others; the step then needs attention, and a retry replays only the
 * partitions not yet preserved.
 */
export function startEvidence(run: Run, step: StepOf<'preserve-evidence'>, waitingForDecision = false): void {
  const { ledger } = run;
  run.evidence = (async () => {
    try {
      // A run that continued as new resumes a replay that was waiting for an operator's decision.
      for (let waiting = waitingForDecision; ; waiting = false) {
        if (!waiting) {
          run.continuation.evidence = 'running';
          const progress = new EvidenceProgressTracker(run);
          const outcome = await timed(run, step, async () => {
            await preserveEvidence(
              run,
              step,
              async (drafts, done) => {
                for (const draft of drafts) ledger.commit(draft);
                await ledger.flush();
                progress.partitionDone(done);
                run.progress(progressMessage(progress.view));
              },
              (partitions) => progress.begin(partitions),
            );
            return [];
          });
          progress.finish(outcome === 'done');
          if (outcome === 'done') return;
        }
        // Not interruptible: the playbook's own wait decides when the incident continues as new.
        run.continuation.evidence = 'waiting';
        if ((await run.decisions.await(step.id)) !== 'retry') return;
      }
    } finally {
      run.continuation.evidence = 'idle';
    }
  })();
  // Observed when awaited (report, close); this only keeps the rejection from going unhandled.
  run.evidence.catch(() => undefined);
}

/**
 * `close`: the incident commander approves (asked up to three times), evidence must be complete,
 * the regulatory clocks settled (every known due filed, or not notifiable) when `requireFilings`, and
 * breakers still open are closed under the close approval. Then `IncidentClosed`.
 */
async function closeStep(run: Run, step: StepOf<'close'>): Promise<void> {
  await (run.continuation.enabled ? evidenceOrContinue(run) : run.evidence);
  let approvalId: string | undefined;
  if (step.approval !== 'none') {
    let first = 1;
    if (run.continuation.generation > 0) ({ approvalId, next: first } = await resumeClose(run, step));
    for (let i = first; approvalId === undefined; i++) {
      run.notify(`Approval needed from the ${step.approval} to close the incident.`);
      const asking = run.approvals.request(step.id, step.approval, step.title, `${step.id}/${i}`);
      // A close asked for from Slack before this step was reached answers at once.
      offerClose(run);
      const answer = await asking;
      await run.ledger.flush();
      if (answer.granted) approvalId = answer.approvalId;
      else if (i % CLOSE_REQUESTS === 0) {
        // Asked often enough: the incident stays open until someone asks to close it again.
        run.notify(`Closing was refused ${i} times; the incident stays open until a new close request.`);
        run.closeRequest = undefined;
        // Inline (not a helper): the same microtask order as 0.2.0 when continuing is off.
        await condition(() => run.closeRequest !== undefined || run.continuation.due());
        if (run.closeRequest === undefined) throw new ContinueAsNewDue();
      }
    }
  }
  // War room (issue 16): a runbook that says so holds closing while tasks are open.
  await holdCloseForOpenTasks(run, step.params.requireTasksDone);
  await timed(run, step, async () => {
    if (step.params.requireFilings) await condition(() => clocksSettled(run));
    // close-require-breakers-v1: `requireBreakersClosed` had no effect before (the close approval
    // closed every open breaker); incidents started before keep that, so their histories replay.
    if (step.params.requireBreakersClosed && patched('close-require-breakers-v1')) {
      await breakersClosed(run);
      return [];
    }
    if (approvalId === undefined) return [];
    const approved = approvalId;
    // Under the breaker lock, so a breaker signal cannot interleave; events are committed as each closes.
    await run.breakerLock.run(async () => {
      for (const stepId of Object.keys(run.opened)) {
        for (const draft of (await closeBreakers(run, stepId, approved)).events) run.ledger.commit(draft);
        run.saga.drop(stepId);
      }
    });
    return [];
  });
  const bySlack = approvalId !== undefined ? closeResolution(run, approvalId) : undefined;
  run.ledger.commit({
    type: 'IncidentClosed',
    at: nowIso(),
    actor: bySlack !== undefined ? { kind: 'user', id: bySlack.closedBy } : WORKFLOW_ACTOR,
    data: { resolution: bySlack?.resolution ?? 'contained, remediated and reported', openItems: openItems(run) },
  });
  await run.ledger.flush();
  stopAllClocks(run, 'incident closed');
  run.notify(`Incident ${run.input.incidentId} closed.`);
}

/** Breakers open now, by name. */
function openBreakers(run: Run): string[] {
  return Object.entries(run.ledger.open.breakers).filter(([, b]) => b.state === 'open').map(([name]) => name);
}

/**
 * `close.requireBreakersClosed`: closing is refused while a breaker is open. The refusal is said
 * in the channel, and the close waits until operators have closed every breaker (from Slack,
 * each under its own approval); nothing is closed on their behalf.
 */
async function breakersClosed(run: Run): Promise<void> {
  const open = openBreakers(run);
  if (open.length === 0) return;
  run.notify(`Closing refused while breakers are open (${open.join(', ')}): the runbook requires them closed first. Close each from Slack; the incident closes after the last one.`);
  await condition(() => openBreakers(run).length === 0);
}

/**
 * Where the close step of a run that continued as new picks up: waiting for the close approval
 * the last run asked for (its answer, if granted, and the next request's number), or for a new
 * close request after refusals; nothing asked yet starts at the first request.
 */
async function resumeClose(run: Run, step: StepOf<'close'>): Promise<{ approvalId?: string; next: number }> {
  if (step.approval === 'none') return { next: 1 };
  const granted = run.ledger.open.decisions.find((d) => d.stepId === step.id && d.granted && d.breaker === undefined);
  const asked = run.ledger.events.filter((e) => e.type === 'ApprovalRequested' && e.data.stepId === step.id && e.data.breaker === undefined).length;
  const pending = run.ledger.open.pendingApprovals.find((a) => a.stepId === step.id && a.breaker === undefined);
  if (granted !== undefined) return { approvalId: granted.approvalId, next: asked + 1 };
  if (pending !== undefined) {
    offerClose(run);
    const answer = await run.approvals.resume({ ...pending, role: step.approval });
    await run.ledger.flush();
    if (answer.granted) return { approvalId: answer.approvalId, next: asked + 1 };
    if (asked % CLOSE_REQUESTS !== 0) return { next: asked + 1 };
    run.notify(`Closing was refused ${asked} times; the incident stays open until a new close request.`);
    run.closeRequest = undefined;
  }
  if (asked > 0 && asked % CLOSE_REQUESTS === 0) {
    await condition(() => run.closeRequest !== undefined || run.continuation.due());
    if (run.closeRequest === undefined) throw new ContinueAsNewDue();
  }
  return { next: asked + 1 };
}

/** Dry run of one step: the activity (in dry-run mode) or the workflow says what it would change. */
export async function planStep(run: Run, planned: AnyPlannedStep): Promise<void> {
  // References whose value is not known yet (no step ran) are planned as their text.
  const step = planStepParams(run, planned);
  const drafts = step.kind === 'generic' ? [planGeneric(run, step)] : await planBuiltin(run, step);
  for (const draft of drafts) run.ledger.commit(draft);
}

/** Built-ins whose dry run asks their activities (they read the cluster), by action. */
type ActivityPlanner<A extends BuiltinActionName> = (run: Run, step: StepOf<A>) => Promise<EventDraft[]>;
const ACTIVITY_PLANNERS: { readonly [A in BuiltinActionName]?: ActivityPlanner<A> } = {
  contain: async (run, step) => {
    // contain-principals-v1 (leaked-token playbook): a dry run plans each listed principal.
    const principals = step.params.principals;
    if (principals === undefined || !patched('contain-principals-v1')) return (await stepActivities(step).contain(stepInput(run, step))).events;
    const events: EventDraft[] = [];
    for (const principal of principals) events.push(...(await stepActivities(step).contain({ ...stepInput(run, step), params: { ...step.params, principal } })).events);
    return events;
  },
  'rotate-credentials': async (run, step) => (await rotate(run, step)).events,
  'break-circuits': async (run, step) => (await breakCircuits(run, step, undefined)).events,
  forensics: async (run, step) => (await forensics(run, step)).events,
  'preserve-evidence': async (run, step) => [await planEvidence(run, step)],
};

async function planBuiltin(run: Run, step: PlannedStep): Promise<EventDraft[]> {
  const def = builtinAction(step.action);
  if (def.dryRun.by === 'activity') {
    const planner = ACTIVITY_PLANNERS[step.action] as ActivityPlanner<typeof step.action> | undefined;
    if (planner === undefined) throw ApplicationFailure.nonRetryable(`no dry-run planner for ${step.action}`, 'UnknownAction');
    return planner(run, step as never);
  }
  // Planned by the workflow itself: the definition's plan lines, one change each.
  const dryRun = def.dryRun as { kind: string; target(params: unknown, ctx: BuiltinPlanContext): string };
  const ctx = builtinPlanContext(run);
  const target = dryRun.target(step.params, ctx);
  const lines = (def.plan as (params: unknown, ctx: BuiltinPlanContext) => string[])(step.params, ctx);
  return [plannedByWorkflow(step, lines.map((description) => ({ kind: dryRun.kind, target, description })))];
}

/** What a built-in's plan may know: the incident, its channel and the runbook's breakers. */
function builtinPlanContext(run: Run): BuiltinPlanContext {
  return { ...planContext(run), channel: incidentChannel(run), breakers: run.input.runbook.breakers };
}

/**
 * Evidence progress (design §7, issue 13): records and bytes against the forensic totals, the
 * rate of this attempt and the ETA at that rate, kept on the run for `evidenceProgressQuery`.
 * Workflow time only (deterministic); it advances as partitions finish.
 */
class EvidenceProgressTracker {
  private readonly startedMs = Date.now();
  private readonly recordsAtStart: bigint;
  readonly view: EvidenceProgress;

  constructor(private readonly run: Run) {
    const windows = Object.values(run.ledger.open.forensicWindows);
    this.recordsAtStart = BigInt(run.ledger.open.evidence.records);
    const at = nowIso();
    this.view = {
      startedAt: at,
      updatedAt: at,
      records: this.recordsAtStart.toString(),
      totalRecords: windows.reduce((n, w) => n + BigInt(w.totals.records), 0n).toString(),
      bytes: run.evidenceProgress?.bytes ?? '0',
      totalBytes: windows.reduce((n, w) => n + BigInt(w.totals.bytes), 0n).toString(),
      evidenceBytes: run.evidenceProgress?.evidenceBytes ?? '0',
      partitionsDone: run.evidenceDone.size,
      partitionsTotal: run.evidenceDone.size,
      recordsPerSecond: 0,
      etaSeconds: null,
      done: false,
    };
    run.evidenceProgress = this.view;
  }

  begin(partitions: number): void {
    this.view.partitionsTotal = this.run.evidenceDone.size + partitions;
  }

  partitionDone(done: EvidenceJobDone): void {
    const v = this.view;
    v.records = this.run.ledger.open.evidence.records;
    v.bytes = (BigInt(v.bytes) + BigInt(done.sourceBytes)).toString();
    v.evidenceBytes = (BigInt(v.evidenceBytes) + BigInt(done.evidenceBytes)).toString();
    v.partitionsDone = this.run.evidenceDone.size + 1;
    v.updatedAt = nowIso();
    const elapsed = (Date.now() - this.startedMs) / 1000;
    const rate = elapsed > 0 ? Number(BigInt(v.records) - this.recordsAtStart) / elapsed : 0;
    v.recordsPerSecond = Math.round(rate);
    const left = BigInt(v.totalRecords) > BigInt(v.records) ? Number(BigInt(v.totalRecords) - BigInt(v.records)) : 0;
    v.etaSeconds = rate > 0 ? Math.ceil(left / rate) : left === 0 ? 0 : null;
  }

  finish(ok: boolean): void {
    this.view.done = ok;
    this.view.updatedAt = nowIso();
    if (ok) this.view.etaSeconds = 0;
  }
}

/** The progress message, edited in place as partitions finish (counts only: no personal data). */
function progressMessage(v: EvidenceProgress): string {
  const mb = (b: string): string => (Number(b) / 1e6).toFixed(1);
  const eta = v.etaSeconds !== null ? `, about ${v.etaSeconds} s left` : '';
  return (
    `Evidence: ${v.records} of ${v.totalRecords} records preserved, ${mb(v.bytes)} of ${mb(v.totalBytes)} MB ` +
    `(${v.partitionsDone}/${v.partitionsTotal} partitions, ${v.recordsPerSecond} records/s${eta}).`
  );
}

/** What is still open when the incident closes. */
export function openItems(run: Run): string[] {
  const s = run.ledger.open;
  const items: string[] = [];
  items.push(...clockOpenItems(s));
  for (const st of s.steps) if (st.status === 'denied') items.push(`step "${st.id}" was refused and did not run`);
  // War room (issue 16): open tasks and follow-ups.
  items.push(...workOpenItems(s));
  for (const [name, b] of Object.entries(s.breakers)) if (b.state === 'open') items.push(`breaker "${name}" is still open`);
  for (const w of Object.values(s.forensicWindows)) {
    const aged = w.partitions.reduce((n, p) => n + BigInt(p.clampedRecords), 0n);
    if (aged > 0n) items.push(`${w.topic}: ${aged} records read had already aged out and could not be preserved`);
  }
  return items;
}

/**
 * What a notify step posts: its template with the incident's values, or (no template, or the 0.2
 * default name) the status summary. Only values already in the channel: no personal data.
 */
function notifyMessage(run: Run, step: StepOf<'notify'>): string {
  const template = step.params.template;
  if (template === undefined || template === BUILTIN_SUMMARY_TEMPLATE) return statusMessage(run, step.params.audience);
  const s = run.ledger.open;
  return renderTemplate(template, { incidentId: run.input.incidentId, title: s.title, severity: s.severity, principal: run.input.principal, status: s.status });
}

/** The status message of the runbook's notify step (counts only: no personal data). */
function statusMessage(run: Run, audience: string[]): string {
  const s = run.ledger.open;
  const windows = Object.values(s.forensicWindows);
  const records = windows.map((w) => `${w.topic}: ${w.totals.records} records, ${w.dataSubjects.count} data subjects`).join('; ');
  const clocks = clockSummary(s);
  return (
    `[${s.severity}] ${s.title} — for ${audience.join(', ')}. ` +
    `Access of ${s.principal} revoked; ${Object.keys(s.rotatedCredentials).length} credentials rotated; ` +
    `${Object.values(s.breakers).filter((b) => b.state === 'open').length} breakers open. ` +
    (records ? `Read by the attacker: ${records}. ` : '') +
    (clocks ? `${clocks}.` : '')
  );
}
