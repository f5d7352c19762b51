import { ActivityFailure, ApplicationFailure, condition, isCancellation } from '@temporalio/workflow';
import type { EventDataMap } from '../src/domain/events';
import type { PlannedStep } from '../src/domain/runbook';
import type { EventDraft } from '../src/domain/step-contract';
import { clockOpenItems, clocksSettled, clockSummary, stopAllClocks } from './clocks';
import { nowIso, recorder, stepActivities, stepInput, WORKFLOW_ACTOR, type Run } from './context';
import { offerClose, closeResolution } from './operator-signals';
import { fastControlPlane } from './options';
import { breakCircuits, closeBreakers, contain, forensics, planEvidence, plannedByWorkflow, preserveEvidence, rotate } from './steps';

type StepOf<A extends PlannedStep['action']> = Extract<PlannedStep, { action: A }>;

/** How many times the close step asks before the workflow gives up on closing. */
const CLOSE_REQUESTS = 3;

/** Thrown when a step fails for good; the incident stays open with its remediation in place. */
function stepFailure(stepId: string, type: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`step "${stepId}" failed (${type})`, 'StepFailed');
}

/** The failure's stable type and whether Temporal would have retried it. */
function describeError(err: unknown): EventDataMap['StepFailed']['error'] {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message, retriable: !cause.nonRetryable };
  if (cause instanceof Error) return { type: cause.name, message: cause.message, retriable: false };
  return { type: 'Error', message: String(cause), retriable: false };
}

/** The channel the runbook's notify step posts to, used for every message of the incident. */
export function incidentChannel(run: Run): string {
  const step = run.input.runbook.steps.find((s) => s.action === 'notify');
  return (step?.action === 'notify' ? step.with?.channel : undefined) ?? '#incidents';
}

/**
 * One step in live or drill mode: approval (if gated), then `StepStarted` → work → its events →
 * `StepCompleted`, or `StepFailed` and the incident fails. A refused approval skips the step.
 */
export async function runStep(run: Run, step: PlannedStep): Promise<void> {
  if (step.action === 'close') return closeStep(run, step);
  let approvalId: string | undefined;
  if (step.approval !== 'none') {
    run.notify(`Approval needed from the ${step.approval} for step "${step.id}": ${step.title}.`);
    const answer = await run.approvals.request(step.id, step.approval, step.title, `${step.id}/1`);
    await run.ledger.flush();
    if (!answer.granted) {
      run.notify(`Step "${step.id}" skipped: approval refused.`);
      return;
    }
    approvalId = answer.approvalId;
  }
  switch (step.action) {
    case 'contain':
      return timed(run, step, async () => (await contain(run, step)).events);
    case 'rotate-credentials':
      return timed(run, step, async () => (await rotate(run, step)).events);
    case 'break-circuits':
      return timed(run, step, async () => (await breakCircuits(run, step, approvalId)).events);
    case 'forensics':
      return timed(run, step, async () => (await forensics(run, step)).events);
    case 'preserve-evidence':
      return startEvidence(run, step);
    case 'notify':
      return timed(run, step, () => {
        run.notify(statusMessage(run, step.params.audience));
        return Promise.resolve([]);
      });
    case 'report':
      await run.evidence;
      return timed(run, step, async () => {
        await recorder(fastControlPlane).postReport({ incidentId: run.input.incidentId, events: [...run.ledger.events], channel: step.params.channel ?? incidentChannel(run) });
        return [];
      });
  }
}

/** Records `StepStarted`, runs the work, folds its events and records the outcome. */
async function timed(run: Run, step: PlannedStep, work: () => Promise<EventDraft[]>): Promise<void> {
  const { ledger } = run;
  const attempt = (ledger.open.steps.find((s) => s.id === step.id)?.attempts ?? 0) + 1;
  const started = Date.now();
  ledger.commit({ type: 'StepStarted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, attempt } });
  try {
    for (const draft of await work()) ledger.commit(draft);
  } catch (err) {
    if (isCancellation(err)) throw err;
    await fail(run, step, attempt, err);
  }
  ledger.commit({ type: 'StepCompleted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, durationMs: Date.now() - started } });
  await ledger.flush();
}

async function fail(run: Run, step: PlannedStep, attempt: number, err: unknown): Promise<never> {
  const error = describeError(err);
  run.ledger.commit({ type: 'StepFailed', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, attempt, error } });
  await run.ledger.flush();
  run.notify(`Step "${step.id}" failed (${error.type}); the incident needs a responder. Remediation so far stays in place.`);
  throw stepFailure(step.id, error.type);
}

/**
 * Evidence replay runs in the background: the playbook goes on to the regulatory clocks and the
 * notifications (design §7) and waits for it only before the report and closing.
 */
function startEvidence(run: Run, step: StepOf<'preserve-evidence'>): void {
  const { ledger } = run;
  const attempt = (ledger.open.steps.find((s) => s.id === step.id)?.attempts ?? 0) + 1;
  const started = Date.now();
  ledger.commit({ type: 'StepStarted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, attempt } });
  ledger.flushInBackground();
  run.evidence = (async () => {
    try {
      const total = Object.values(ledger.open.forensicWindows).reduce((n, w) => n + BigInt(w.totals.records), 0n);
      await preserveEvidence(run, step, async (drafts) => {
        for (const draft of drafts) ledger.commit(draft);
        await ledger.flush();
        run.notify(evidenceProgress(BigInt(ledger.open.evidence.records), total, Date.now() - started));
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      await fail(run, step, attempt, err);
    }
    ledger.commit({ type: 'StepCompleted', at: nowIso(), actor: WORKFLOW_ACTOR, data: { stepId: step.id, action: step.action, durationMs: Date.now() - started } });
    await ledger.flush();
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
  await run.evidence;
  let approvalId: string | undefined;
  if (step.approval !== 'none') {
    for (let i = 1; approvalId === undefined; i++) {
      run.notify(`Approval needed from the ${step.approval} to close the incident.`);
      const asking = run.approvals.request(step.id, step.approval, step.title, `${step.id}/${i}`);
      // A close asked for from Slack before this step was reached answers at once.
      offerClose(run);
      const answer = await asking;
      await run.ledger.flush();
      if (answer.granted) approvalId = answer.approvalId;
      else if (i >= CLOSE_REQUESTS) throw ApplicationFailure.nonRetryable(`closing was refused ${i} times`, 'CloseNotApproved');
    }
  }
  await timed(run, step, async () => {
    if (step.params.requireFilings) await condition(() => clocksSettled(run));
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

/** Dry run of one step: the activity (in dry-run mode) or the workflow says what it would change. */
export async function planStep(run: Run, step: PlannedStep): Promise<void> {
  const { ledger } = run;
  const channel = incidentChannel(run);
  let drafts: EventDraft[];
  switch (step.action) {
    case 'contain':
      drafts = (await stepActivities(step).contain(stepInput(run, step))).events;
      break;
    case 'rotate-credentials':
      drafts = (await rotate(run, step)).events;
      break;
    case 'break-circuits':
      drafts = (await breakCircuits(run, step, undefined)).events;
      break;
    case 'forensics':
      drafts = (await forensics(run, step)).events;
      break;
    case 'preserve-evidence':
      drafts = [await planEvidence(run, step)];
      break;
    case 'notify':
      drafts = [plannedByWorkflow(step, [{ kind: 'chat.post', target: step.params.channel, description: `post the incident status to ${step.params.channel}` }])];
      break;
    case 'report':
      drafts = [plannedByWorkflow(step, [{ kind: 'chat.post', target: step.params.channel ?? channel, description: 'post the post-incident report' }])];
      break;
    case 'close':
      drafts = [plannedByWorkflow(step, [{ kind: 'incident.close', target: `incident:${run.input.incidentId}`, description: 'close the incident and the breakers still open' }])];
      break;
  }
  for (const draft of drafts) ledger.commit(draft);
}

/** Evidence replay progress with the current rate and an ETA (design §7). */
function evidenceProgress(done: bigint, total: bigint, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Number(done) / (elapsedMs / 1000) : 0;
  const left = total > done ? Number(total - done) : 0;
  const eta = rate > 0 ? `, about ${Math.ceil(left / rate)} s left` : '';
  return `Evidence: ${done} of ${total} records preserved (${rate.toFixed(0)} records/s${eta}).`;
}

/** What is still open when the incident closes. */
export function openItems(run: Run): string[] {
  const s = run.ledger.open;
  const items: string[] = [];
  items.push(...clockOpenItems(s));
  for (const st of s.steps) if (st.status === 'denied') items.push(`step "${st.id}" was refused and did not run`);
  for (const [name, b] of Object.entries(s.breakers)) if (b.state === 'open') items.push(`breaker "${name}" is still open`);
  for (const w of Object.values(s.forensicWindows)) {
    const aged = w.partitions.reduce((n, p) => n + BigInt(p.clampedRecords), 0n);
    if (aged > 0n) items.push(`${w.topic}: ${aged} records read had already aged out and could not be preserved`);
  }
  return items;
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
