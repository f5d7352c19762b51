import { IllegalEventError } from './errors';
import type { DomainEvent, EventOf, StageDueData } from './events';
import type { IncidentState, RegulatoryClockState, StageFiling, StageStanding, StageState } from './incident-state';

/**
 * The regulatory-clock part of the incident reducer: clocks started at open, decisions that move
 * their dues (awareness, classification, materiality), filings per stage (phased where the stage
 * allows it), reminders, missed dues and "not notifiable". Pure, like the rest of the reducer.
 */

type ClockEventType =
  | 'RegulatoryClockStarted'
  | 'ReminderSent'
  | 'ReminderFailed'
  | 'NotificationFiled'
  | 'DeadlineMissed'
  | 'DataSubjectNotificationRequired'
  | 'AwarenessDetermined'
  | 'IncidentClassified'
  | 'MaterialityDetermined'
  | 'RegimeNotNotifiable'
  | 'DeadlinesRecomputed'
  | 'FilingRefused'
  | 'DataSubjectDecision';

type Handler<T extends ClockEventType> = (s: IncidentState, e: EventOf<T>) => void;

/** Reducer handlers for every clock event type. */
export const clockHandlers: { [T in ClockEventType]: Handler<T> } = {
  RegulatoryClockStarted: (s, e) => {
    if (s.clocks[e.data.regime] !== undefined) throw illegal(e, `the ${e.data.regime} clock is already running`);
    const clock: RegulatoryClockState = {
      regime: e.data.regime,
      authority: e.data.authority,
      workflowId: e.data.workflowId,
      awarenessAt: e.data.awarenessAt,
      stages: e.data.stages.map((st) => ({ stage: st.stage, due: st.due, rule: st.rule, phased: st.phased === true, filings: [], missed: false, reminders: [] })),
      deadlineAt: null,
      missed: false,
    };
    summarise(clock);
    s.clocks[e.data.regime] = clock;
    s.regulatoryFacts.awareAt ??= e.data.awarenessAt;
  },
  ReminderSent: (s, e) => {
    const stage = openStage(s, e, e.data.regime, e.data.stage);
    if (stage.filings.length > 0) throw illegal(e, `${e.data.regime} ${stage.stage} is already filed`);
    if (stage.reminders.some((r) => r.mark === e.data.mark)) throw illegal(e, `reminder "${e.data.mark}" of ${e.data.regime} ${stage.stage} was already sent`);
    stage.reminders.push({ mark: e.data.mark, sentAt: e.at });
  },
  ReminderFailed: (s, e) => {
    openStage(s, e, e.data.regime, e.data.stage);
  },
  NotificationFiled: (s, e) => {
    const d = e.data;
    const clock = clockOf(s, e, d.regime);
    if (d.recipient === 'data-subjects') {
      clock.dataSubjectsNotified = { reference: d.reference, filedAt: d.filedAt };
      return;
    }
    const stage = openStage(s, e, d.regime, d.stage ?? clock.stages[0]?.stage ?? '');
    const phase = stage.filings.length === 0 ? 'initial' : 'supplementary';
    if (phase === 'supplementary' && !stage.phased) throw illegal(e, `${d.regime} ${stage.stage} is already filed`);
    if ((d.phase ?? 'initial') !== phase) throw illegal(e, `${d.regime} ${stage.stage}: this filing is ${phase}, not ${d.phase ?? 'initial'}`);
    // Only the initial filing is bound by the due; supplementary ones follow as facts emerge.
    const late = phase === 'initial' && stage.due !== null && Date.parse(d.filedAt) > Date.parse(stage.due);
    if (d.late !== late) throw illegal(e, `filed at ${d.filedAt} against due ${stage.due ?? 'unknown'}: late must be ${late}`);
    if (late && !d.lateReason?.trim()) throw illegal(e, 'a late filing needs a reason for the delay');
    const filing: StageFiling = {
      authority: d.authority,
      reference: d.reference,
      filedAt: d.filedAt,
      late,
      filer: e.actor.id,
      phase,
      ...(d.lateReason ? { lateReason: d.lateReason } : {}),
    };
    stage.filings.push(filing);
    summarise(clock);
  },
  DeadlineMissed: (s, e) => {
    const stage = openStage(s, e, e.data.regime, e.data.stage);
    if (stage.filings.length > 0) throw illegal(e, `${e.data.regime} ${stage.stage} was filed`);
    if (stage.missed) throw illegal(e, `the ${e.data.regime} ${stage.stage} due is already recorded as missed`);
    stage.missed = true;
    summarise(clockOf(s, e, e.data.regime));
  },
  DataSubjectNotificationRequired: (s, e) => {
    const { regime: _regime, ...decision } = e.data;
    clockOf(s, e, e.data.regime).dataSubjectNotification = { ...decision, proposedAt: e.at };
  },
  DataSubjectDecision: (s, e) => {
    const clock = clockOf(s, e, e.data.regime);
    if (clock.dataSubjectNotification === undefined) throw illegal(e, `no Art. 34 notice has been proposed for ${e.data.regime}`);
    if (!e.data.reason.trim()) throw illegal(e, 'an Art. 34 decision needs a reason');
    clock.dataSubjectDecision = { decision: e.data.decision, reason: e.data.reason, decidedBy: e.actor.id, at: e.at };
  },
  AwarenessDetermined: (s, e) => {
    s.regulatoryFacts.awareAt = e.data.awareAt;
    s.regulatoryFacts.awarenessProvisional = false;
  },
  IncidentClassified: (s, e) => {
    s.regulatoryFacts.classification = e.data.classification;
    s.regulatoryFacts.classifiedAt = e.at;
  },
  MaterialityDetermined: (s, e) => {
    s.regulatoryFacts.determinedAt = e.data.determinedAt;
  },
  RegimeNotNotifiable: (s, e) => {
    const clock = clockOf(s, e, e.data.regime);
    if (clock.notNotifiable !== undefined) throw illegal(e, `${e.data.regime} is already recorded as not notifiable`);
    if (!e.data.reasoning.trim()) throw illegal(e, 'a not-notifiable decision needs its reasoning');
    clock.notNotifiable = { reasoning: e.data.reasoning, decidedBy: e.actor.id, at: e.at };
  },
  DeadlinesRecomputed: (s, e) => {
    const clock = clockOf(s, e, e.data.regime);
    for (const next of e.data.stages) {
      const stage = clock.stages.find((st) => st.stage === next.stage);
      if (stage === undefined) throw illegal(e, `${e.data.regime} has no stage "${next.stage}"`);
      stage.due = next.due;
    }
    if (s.regulatoryFacts.awareAt !== undefined) clock.awarenessAt = s.regulatoryFacts.awareAt;
    summarise(clock);
  },
  FilingRefused: (s, e) => {
    clockOf(s, e, e.data.regime);
  },
};

/** Where a stage stands now: a regime recorded as not notifiable overrides everything. */
export function stageStanding(clock: RegulatoryClockState, stage: StageState): StageStanding {
  if (stage.filings.length > 0) return 'filed';
  if (clock.notNotifiable !== undefined) return 'not-notifiable';
  return stage.missed ? 'missed' : 'pending';
}

/**
 * A regime is settled when it is not notifiable, or when every stage whose due is known has been
 * filed (a stage still waiting for its anchor, e.g. DORA before a `major` classification, does not
 * hold the incident open).
 */
export function regimeSettled(clock: RegulatoryClockState): boolean {
  return clock.notNotifiable !== undefined || clock.stages.every((st) => st.due === null || st.filings.length > 0);
}

/** The dues as the calculator gives them, for an event. */
export function stageDues(stages: ReadonlyArray<{ stage: string; due: string | null; rule: string; phased?: boolean }>): StageDueData[] {
  return stages.map((st) => ({ stage: st.stage, due: st.due, rule: st.rule, ...(st.phased ? { phased: true } : {}) }));
}

function summarise(clock: RegulatoryClockState): void {
  const known = clock.stages.filter((st) => st.due !== null) as Array<StageState & { due: string }>;
  const open = known.filter((st) => st.filings.length === 0).sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
  clock.deadlineAt = open[0]?.due ?? known.at(-1)?.due ?? null;
  clock.missed = clock.stages.some((st) => st.missed);
  const first = clock.stages[0]?.filings[0];
  if (first !== undefined) clock.filed = first;
}

function clockOf(s: IncidentState, e: DomainEvent, regime: string): RegulatoryClockState {
  const clock = Object.hasOwn(s.clocks, regime) ? s.clocks[regime] : undefined;
  if (clock === undefined) throw illegal(e, `no ${regime} clock has been started`);
  return clock;
}

/** A stage of a clock that is still running (not recorded as not notifiable). */
function openStage(s: IncidentState, e: DomainEvent, regime: string, name: string): StageState {
  const clock = clockOf(s, e, regime);
  if (clock.notNotifiable !== undefined) throw illegal(e, `${regime} was recorded as not notifiable`);
  const stage = clock.stages.find((st) => st.stage === name);
  if (stage === undefined) throw illegal(e, `${regime} has no stage "${name}" (stages: ${clock.stages.map((st) => st.stage).join(', ')})`);
  return stage;
}

function illegal(e: DomainEvent, reason: string): IllegalEventError {
  return new IllegalEventError(e.incidentId, e.seq, e.type, reason);
}
