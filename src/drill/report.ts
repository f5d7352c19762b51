import type { DrillScore } from './score';

/** What the after-action report is about, beside the score. */
export interface AfterActionContext {
  drillId: string;
  scenario: string;
  startedAt: string;
  finishedAt: string;
  /** Who answered the approvals: `auto-responder` in automated drills. */
  responders: string[];
  injects: string[];
}

const duration = (ms: number | undefined): string => {
  if (ms === undefined) return 'not reached';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
};

/** Renders the after-action report of a drill as Markdown (posted to Slack, written to a file). */
export function renderAfterActionReport(score: DrillScore, ctx: AfterActionContext): string {
  const f = score.forensics;
  const lines = [
    `# Drill after-action report: ${ctx.scenario}`,
    '',
    `Drill \`${ctx.drillId}\`, incident \`${score.incidentId}\` (${score.status}), ${ctx.startedAt} → ${ctx.finishedAt}.`,
    `Score: **${score.points}/100**. Run against the embedded sandbox only.`,
    '',
    '## Response times',
    '',
    '| measure | value |',
    '|---|---|',
    `| time to containment | ${duration(score.timeToContainmentMs)} |`,
    `| time to first approval | ${duration(score.timeToFirstApprovalMs)} |`,
    '',
    '## Regulatory deadlines',
    '',
    ...(score.deadlines.length === 0
      ? ['No regulatory clock was started.']
      : ['| regime | deadline | filed | met |', '|---|---|---|---|', ...score.deadlines.map((d) => `| ${d.regime} | ${d.deadlineAt} | ${d.filedAt ?? '—'} | ${d.met ? 'yes' : 'no'} |`)]),
    '',
    '## Forensic accuracy (against the scenario ground truth)',
    '',
    '| figure | measured | ground truth |',
    '|---|---|---|',
    `| partitions exactly right | ${f.partitionsMatched} | ${f.partitionsExpected} |`,
    `| records read by the attacker | ${f.records.measured ?? '—'} | ${f.records.expected} |`,
    `| bytes served to the attacker | ${f.bytes.measured ?? '—'} | ${f.bytes.expected} |`,
    `| distinct data subjects | ${f.dataSubjects.measured ?? '—'} | ${f.dataSubjects.expected} |`,
    '',
    f.exact ? 'The forensic window matches the ground truth exactly.' : '**The forensic window does not match the ground truth.**',
    '',
    '## Steps',
    '',
    '| step | status | duration |',
    '|---|---|---|',
    ...score.steps.map((s) => `| ${s.id} | ${s.status} | ${duration(s.durationMs)} |`),
    '',
    '## Injects',
    '',
    ...ctx.injects.map((i) => `- ${i}`),
    '',
    `Responders: ${ctx.responders.length > 0 ? ctx.responders.join(', ') : 'none answered'}.`,
    '',
  ];
  return lines.join('\n');
}
