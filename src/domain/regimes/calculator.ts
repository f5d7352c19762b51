import { DateTime } from 'luxon';
import { addPeriod, applyWorkingDayRelief, checkEntity } from './calendar';
import { RegimeInputError } from './errors';
import type { EntityCalendar, RegimeDeadlines, RegimeDefinition, RegimeFacts, StageAnchor, StageDefinition, StageDue } from './types';

/**
 * The deadline calculator: every stage of a regime, from the facts known so far. Pure and
 * deterministic (no clock read): the CLI, the Slack `/ir clocks` view and the clock workflows all
 * call this same function, so what a user checks by hand is what the workflow keeps.
 */

// Instants must carry their zone: a bare local time would be read in the host's zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Reads an ISO-8601 instant with `Z` or an offset into epoch ms; `field` names it in the error. */
export function parseInstant(value: string, field: string): number {
  // luxon refuses impossible dates (Feb 30) that Date.parse would roll over into March.
  const parsed = ISO_INSTANT.test(value) ? DateTime.fromISO(value, { setZone: true }) : undefined;
  const ms = parsed?.isValid === true ? parsed.toMillis() : Number.NaN;
  if (Number.isNaN(ms)) throw new RegimeInputError(field, `${field}: "${value}" is not an ISO-8601 instant with Z or an offset (e.g. 2026-03-27T09:00:00Z)`);
  return ms;
}

const ANCHOR_FACT: Record<Exclude<StageAnchor, `filed:${string}`>, { field: keyof RegimeFacts; what: string }> = {
  awareness: { field: 'awareAt', what: 'awareness' },
  classification: { field: 'classifiedAt', what: 'classification as major' },
  determination: { field: 'determinedAt', what: 'the determination' },
  discovery: { field: 'discoveredAt', what: 'discovery' },
};

/** The instant an anchor stands for, or undefined while it is unknown. */
function anchorMs(anchor: StageAnchor, facts: RegimeFacts): number | undefined {
  if (anchor.startsWith('filed:')) {
    const stage = anchor.slice('filed:'.length);
    const at = facts.filed[stage];
    return at === undefined ? undefined : parseInstant(at, `filed.${stage}`);
  }
  const { field } = ANCHOR_FACT[anchor as keyof typeof ANCHOR_FACT];
  // HIPAA discovery defaults to awareness (45 CFR 164.404(a)(2): known, or should have been known).
  const value = field === 'discoveredAt' ? (facts.discoveredAt ?? facts.awareAt) : (facts[field] as string | undefined);
  return value === undefined ? undefined : parseInstant(value, field);
}

function anchorName(anchor: StageAnchor): string {
  return anchor.startsWith('filed:') ? `the ${anchor.slice('filed:'.length)} filing` : ANCHOR_FACT[anchor as keyof typeof ANCHOR_FACT].what;
}

/**
 * One stage's due: `period` after its anchor; with a bound, never later than the bound, unless
 * the bound had already passed when the anchor happened (DORA: classified more than 24 h after
 * awareness → 4 h from classification); then the entity's working-day relief if the stage allows it.
 */
function stageDue(stage: StageDefinition, facts: RegimeFacts, entity: EntityCalendar): StageDue {
  const from = anchorMs(stage.anchor, facts);
  if (from === undefined) return { stage: stage.name, due: null, rule: `${stage.rule} [waiting for ${anchorName(stage.anchor)}]` };
  let due = addPeriod(from, stage.period, entity);
  const notes: string[] = [];
  if (stage.bound !== undefined) {
    const boundFrom = anchorMs(stage.bound.anchor, facts);
    if (boundFrom !== undefined) {
      const limit = addPeriod(boundFrom, stage.bound.period, entity);
      if (limit < from) notes.push(`${anchorName(stage.anchor)} came after the ${describe(stage.bound.period)} limit from ${anchorName(stage.bound.anchor)}: ${describe(stage.period)} from ${anchorName(stage.anchor)}`);
      else if (limit < due) {
        due = limit;
        notes.push(`capped at ${describe(stage.bound.period)} after ${anchorName(stage.bound.anchor)}`);
      }
    }
  }
  if (stage.weekendRelief === true && entity.weekendRelief) {
    const relieved = applyWorkingDayRelief(due, entity);
    if (relieved !== due) notes.push('falls on a weekend or public holiday: moved to 12:00 local on the next working day');
    due = relieved;
  }
  const rule = notes.length === 0 ? stage.rule : `${stage.rule} [${notes.join('; ')}]`;
  return { stage: stage.name, due: new Date(due).toISOString(), rule };
}

function describe(period: StageDefinition['period']): string {
  const unit = { hours: 'h', 'calendar-days': ' calendar days', 'business-days': ' business days', 'calendar-months': ' month(s)' }[period.unit];
  return `${period.amount}${unit}`;
}

/** Checks the facts' instants and filed stage names before computing anything. */
function checkFacts(def: RegimeDefinition, facts: RegimeFacts): void {
  for (const field of ['awareAt', 'classifiedAt', 'determinedAt', 'discoveredAt'] as const) {
    const value = facts[field];
    if (value !== undefined) parseInstant(value, field);
  }
  const names = new Set(def.stages.map((s) => s.name));
  for (const [stage, at] of Object.entries(facts.filed)) {
    if (!names.has(stage)) throw new RegimeInputError(`filed.${stage}`, `${def.id} has no stage "${stage}"; its stages are ${[...names].join(', ')}`);
    parseInstant(at, `filed.${stage}`);
  }
}

/**
 * Computes every stage of a regime definition (built in or from a runbook) in definition order.
 * A regime that applies only to major incidents (DORA) has every stage `due: null` until the
 * classification, and for ever once classified `not-major`.
 * @throws RegimeInputError naming the fact or entity setting at fault.
 */
export function computeStages(def: RegimeDefinition, facts: RegimeFacts, entity: EntityCalendar): RegimeDeadlines {
  checkEntity(entity);
  checkFacts(def, facts);
  if (def.requiresMajorClassification === true && facts.classification === 'not-major') {
    return {
      regime: def.id,
      stages: def.stages.map((s) => ({ stage: s.name, due: null, rule: `${s.rule} [classified not major: not reportable under ${def.legalReference}]` })),
    };
  }
  return { regime: def.id, stages: def.stages.map((s) => stageDue(s, facts, entity)) };
}

const REMINDER_FRACTIONS = [
  { label: '50%', fraction: 0.5 },
  { label: '75%', fraction: 0.75 },
  { label: '90%', fraction: 0.9 },
] as const;

/**
 * Reminder instants for one stage, scaled to the time it has: at 50 %, 75 % and 90 % of the time
 * from its anchor to its due, and 1 h before the due; any that is not strictly between anchor
 * and due is dropped (a 4 h stage keeps all four, a 30 min one only the percentages), and so is a
 * second mark at the same instant (10 h: 90 % is also 1 h before). Sorted.
 */
export function reminderInstants(awareOrAnchor: string, due: string): Array<{ label: string; at: string }> {
  const from = parseInstant(awareOrAnchor, 'anchor');
  const to = parseInstant(due, 'due');
  const marks = [
    ...REMINDER_FRACTIONS.map(({ label, fraction }) => ({ label, ms: Math.round(from + (to - from) * fraction) })),
    { label: '1h-before', ms: to - 3_600_000 },
  ];
  return marks
    .filter((m, i) => m.ms > from && m.ms < to && marks.findIndex((o) => o.ms === m.ms) === i)
    .sort((a, b) => a.ms - b.ms)
    .map((m) => ({ label: m.label, at: new Date(m.ms).toISOString() }));
}
