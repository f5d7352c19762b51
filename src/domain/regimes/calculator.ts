import type { EntityCalendar, RegimeDeadlines, RegimeDefinition, RegimeFacts, StageAnchor, StageDefinition } from './types';

/** First rough version: hours only. */
export function computeStages(def: RegimeDefinition, facts: RegimeFacts, _entity: EntityCalendar): RegimeDeadlines {
  return { regime: def.id, stages: def.stages.map((s) => ({ stage: s.name, due: dueOf(s, facts), rule: s.rule })) };
}

function anchorOf(anchor: StageAnchor, facts: RegimeFacts): string | undefined {
  if (anchor === 'awareness') return facts.awareAt;
  if (anchor === 'classification') return facts.classifiedAt;
  if (anchor === 'determination') return facts.determinedAt;
  if (anchor === 'discovery') return facts.discoveredAt ?? facts.awareAt;
  return facts.filed[anchor.slice('filed:'.length)];
}

function dueOf(stage: StageDefinition, facts: RegimeFacts): string | null {
  const at = anchorOf(stage.anchor, facts);
  if (at === undefined) return null;
  return new Date(Date.parse(at) + stage.period.amount * 3_600_000).toISOString();
}

/** Reminder instants at 50 %, 75 %, 90 % of the time from anchor to due, and 1 h before due. */
export function reminderInstants(awareOrAnchor: string, due: string): Array<{ label: string; at: string }> {
  const from = Date.parse(awareOrAnchor);
  const to = Date.parse(due);
  const marks = [
    { label: '50%', ms: from + (to - from) * 0.5 },
    { label: '75%', ms: from + (to - from) * 0.75 },
    { label: '90%', ms: from + (to - from) * 0.9 },
    { label: '1h-before', ms: to - 3_600_000 },
  ];
  return marks.filter((m) => m.ms > from && m.ms < to).map((m) => ({ label: m.label, at: new Date(Math.round(m.ms)).toISOString() }));
}
