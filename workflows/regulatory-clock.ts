import { condition, defineSignal, getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import { localTime, timeLeft } from '../src/domain/regulatory-clock';
import { computeStages, reminderInstants } from '../src/domain/regimes/calculator';
import type { EntityCalendar, RegimeDefinition, RegimeFacts, StageDue } from '../src/domain/regimes/types';
import type { EventDraft } from '../src/domain/step-contract';
import type { PlaybookActivities } from './context';
import { bestEffortNotify } from './options';

/**
 * One regime's clock, a workflow of its own: started by the incident at open with parent-close
 * policy ABANDON, so a failed, cancelled or terminated incident never stops it. It computes its
 * stages with the pure calculator from the facts the incident sends it (awareness, classification,
 * determination, filings), sleeps until each reminder mark and each due, posts the reminder first
 * and reports to the incident afterwards (`clockEventSignal`): `ReminderSent` only when the post
 * succeeded, `ReminderFailed` when it did not, `DeadlineMissed` at a due without a filing. The
 * incident is the single writer of its events; if it is gone, the clock keeps reminding anyway.
 * It ends when every stage is filed, or when the incident tells it to stop (not notifiable, or
 * the incident closed under its close rules).
 */

/** Input of {@link RegulatoryClockWorkflow}. */
export interface RegulatoryClockInput {
  incidentId: string;
  parentWorkflowId: string;
  regime: string;
  definition: RegimeDefinition;
  entity: EntityCalendar;
  facts: RegimeFacts;
  /** Channel reminders are posted to (recorded on `ReminderSent`). */
  channel: string;
  /** Who to file with, for the reminder text. */
  authority: string;
}

/** How the clock ended. */
export type RegulatoryClockOutcome = 'filed' | 'stopped';

/** Child → incident: an event draft for the incident to record. */
export const clockEventSignal = defineSignal<[EventDraft]>('clockEvent');
/** Incident → child: the facts changed (a decision or a filing); dues are recomputed from them. */
export const clockFactsSignal = defineSignal<[RegimeFacts]>('clockFacts');
/** Incident → child: stop (regime not notifiable, or the incident closed under its close rules). */
export const clockStopSignal = defineSignal<[string]>('clockStop');

const ACTOR = { kind: 'system' as const, id: 'workflow:regulatory-clock' };

/** Something the clock does at an instant: remind at a mark, or check a due. */
interface Wake {
  key: string;
  at: number;
  stage: StageDue & { due: string };
  mark?: string;
}

/** The regulatory clock of one regime. */
export async function RegulatoryClockWorkflow(input: RegulatoryClockInput): Promise<RegulatoryClockOutcome> {
  let facts = input.facts;
  let version = 0;
  let stopped = false;
  setHandler(clockFactsSignal, (next) => {
    facts = next;
    version += 1;
  });
  setHandler(clockStopSignal, () => {
    stopped = true;
  });
  const done = new Set<string>();
  // Marks are scaled to the time from when a due became known to the due itself.
  const anchors = new Map<string, number>();
  // Marks at or before the cursor were passed while they did not exist (a due moved): not sent late.
  let cursor = Date.now();
  const start = facts.awareAt !== undefined ? Math.min(Date.parse(facts.awareAt), cursor) : cursor;

  while (!stopped) {
    const stages = computeStages(input.definition, facts, input.entity).stages;
    if (stages.every((st) => facts.filed[st.stage] !== undefined)) return 'filed';
    const now = Date.now();
    const wakes = plan(stages, facts, anchors, version === 0 ? start : now);
    for (const w of wakes.filter((x) => x.at <= now && !done.has(x.key))) {
      done.add(w.key);
      if (w.mark === undefined) await missed(input, w);
      else if (w.at > cursor) await remind(input, w.mark, w);
    }
    cursor = now;
    const next = wakes.filter((x) => x.at > now && !done.has(x.key)).reduce((m, x) => Math.min(m, x.at), Number.POSITIVE_INFINITY);
    const seen = version;
    const changed = () => version !== seen || stopped;
    if (Number.isFinite(next)) await condition(changed, next - now);
    else await condition(changed);
  }
  return 'stopped';
}

/** Every reminder mark and due of the stages not filed yet. */
function plan(stages: StageDue[], facts: RegimeFacts, anchors: Map<string, number>, knownSince: number): Wake[] {
  const wakes: Wake[] = [];
  for (const st of stages) {
    if (st.due === null || facts.filed[st.stage] !== undefined) continue;
    const stage = { ...st, due: st.due };
    const due = Date.parse(st.due);
    const anchor = anchors.get(st.stage);
    if (anchor === undefined || anchor >= due) anchors.set(st.stage, Math.min(knownSince, due));
    const from = new Date(anchors.get(st.stage) ?? knownSince).toISOString();
    for (const m of reminderInstants(from, st.due)) wakes.push({ key: `${st.stage}|${st.due}|${m.label}`, at: Date.parse(m.at), stage, mark: m.label });
    wakes.push({ key: `${st.stage}|missed`, at: due + 1, stage });
  }
  return wakes;
}

/** Posts the reminder, then reports it: sent only if the post went through. */
async function remind(input: RegulatoryClockInput, mark: string, w: Wake): Promise<void> {
  const { notify } = proxyActivities<PlaybookActivities>(bestEffortNotify);
  const now = new Date().toISOString();
  const text =
    `${input.regime.toUpperCase()} ${w.stage.stage} due ${w.stage.due} UTC (${localTime(w.stage.due, input.entity.timeZone)}), ${timeLeft(w.stage.due, now)} ` +
    `[${mark} mark; ${w.stage.rule}]. File with ${input.authority}: \`/ir notify ${input.incidentId} ${input.regime} ${w.stage.stage} <reference>\`.`;
  let draft: EventDraft;
  try {
    await notify({ incidentId: input.incidentId, text });
    draft = { type: 'ReminderSent', at: new Date().toISOString(), actor: ACTOR, data: { regime: input.regime, stage: w.stage.stage, mark, channel: input.channel } };
  } catch (err) {
    draft = { type: 'ReminderFailed', at: new Date().toISOString(), actor: ACTOR, data: { regime: input.regime, stage: w.stage.stage, mark, error: errorText(err) } };
  }
  await report(input, draft);
}

/** A due passed without a filing: recorded, announced, and the later stages go on. */
async function missed(input: RegulatoryClockInput, w: Wake): Promise<void> {
  await report(input, { type: 'DeadlineMissed', at: new Date().toISOString(), actor: ACTOR, data: { regime: input.regime, stage: w.stage.stage, deadlineAt: w.stage.due } });
  const { notify } = proxyActivities<PlaybookActivities>(bestEffortNotify);
  const text = `${input.regime.toUpperCase()} ${w.stage.stage} was due ${w.stage.due} UTC (${localTime(w.stage.due, input.entity.timeZone)}) and is not filed: file it now with the reasons for the delay (\`late: <reason>\`).`;
  await notify({ incidentId: input.incidentId, text }).catch(() => undefined);
}

/** Tells the incident; an incident that is gone (closed, failed, terminated) does not stop the clock. */
async function report(input: RegulatoryClockInput, draft: EventDraft): Promise<void> {
  try {
    await getExternalWorkflowHandle(input.parentWorkflowId).signal(clockEventSignal, draft);
  } catch {
    // The clock's duty is the reminder itself; the incident records what it can while it runs.
  }
}

function errorText(err: unknown): string {
  const cause = err instanceof Error && 'cause' in err && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
