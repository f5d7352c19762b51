import { condition, defineSignal, getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import type { EventDraft } from '../src/domain/step-contract';
import type { PlaybookActivities } from './context';
import { bestEffortNotify } from './options';

/**
 * The GDPR Art. 33 clock (and any regime of the same shape) as a child workflow of the incident.
 *
 * Design: the incident is the single writer of its events, so the clock writes none. It sleeps
 * until each reminder mark and then the deadline, and reports what happened to its parent as
 * event drafts (`clockEventSignal`); the parent folds them, and the reducer drops a draft that a
 * filing overtook. Filings are signalled to the incident (which validates them against its own
 * fold and can refuse them) and forwarded here (`clockFiledSignal`) only to stop the reminders.
 */

/** Input of {@link RegulatoryClockWorkflow}: the started clock as the parent recorded it. */
export interface RegulatoryClockInput {
  incidentId: string;
  parentWorkflowId: string;
  regime: string;
  awarenessAt: string;
  deadlineAt: string;
  marks: Array<{ label: string; at: string }>;
  /** Channel reminders are posted to. */
  channel: string;
  /** Authority to file with, for the reminder text. */
  authority: string;
}

/** How the clock ended. */
export type RegulatoryClockOutcome = 'filed' | 'missed';

/** Child → parent: an event draft for the incident to record. */
export const clockEventSignal = defineSignal<[EventDraft]>('clockEvent');
/** Parent → child: the authority has been notified; stop reminding. */
export const clockFiledSignal = defineSignal('clockFiled');

/** Sleeps until `at` (workflow time) unless the filing arrives first; true when filed. */
async function filedBefore(at: string, isFiled: () => boolean): Promise<boolean> {
  const ms = Date.parse(at) - Date.now();
  if (ms <= 0) return isFiled();
  return condition(isFiled, ms);
}

/** The regulatory clock: reminders at each mark, `DeadlineMissed` at the deadline unless filed. */
export async function RegulatoryClockWorkflow(input: RegulatoryClockInput): Promise<RegulatoryClockOutcome> {
  let filed = false;
  setHandler(clockFiledSignal, () => {
    filed = true;
  });
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  const { notify } = proxyActivities<PlaybookActivities>(bestEffortNotify);
  const system = { kind: 'system' as const, id: 'workflow:regulatory-clock' };

  for (const mark of input.marks) {
    if (await filedBefore(mark.at, () => filed)) return 'filed';
    await parent.signal(clockEventSignal, {
      type: 'ReminderSent',
      at: new Date().toISOString(),
      actor: system,
      data: { regime: input.regime, mark: mark.label, channel: input.channel },
    });
    // Best effort: a Slack outage must not stall the clock.
    await notify({
      incidentId: input.incidentId,
      text: `${input.regime.toUpperCase()} reminder (${mark.label} since awareness): notify the ${input.authority} by ${input.deadlineAt}.`,
    }).catch(() => undefined);
  }
  if (await filedBefore(input.deadlineAt, () => filed)) return 'filed';
  await parent.signal(clockEventSignal, {
    type: 'DeadlineMissed',
    at: new Date().toISOString(),
    actor: system,
    data: { regime: input.regime, deadlineAt: input.deadlineAt },
  });
  await notify({ incidentId: input.incidentId, text: `${input.regime.toUpperCase()} deadline ${input.deadlineAt} passed without a filing.` }).catch(
    () => undefined,
  );
  return 'missed';
}
