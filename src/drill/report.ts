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

/** A table cell: a pipe or a line break in a scenario's text must not break the table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Renders the after-action report of a drill as Markdown (posted to Slack, written to a file). */
export function renderAfterActionReport(score: DrillScore, ctx: AfterActionContext): string {
  const a = score.accuracy;
  const failed = a.checks.filter((c) => !c.ok).length;
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
    '## Accuracy (against the scenario ground truth)',
    '',
    '| check | measured | ground truth | ok |',
    '|---|---|---|---|',
    ...a.checks.map((c) => `| ${cell(c.name)} | ${cell(c.measured ?? '—')} | ${cell(c.expected)} | ${c.ok ? 'yes' : 'no'} |`),
    '',
    a.exact
      ? `The response matches the ground truth in all ${a.checks.length} checks (${a.points}/25).`
      : `**The response does not match the ground truth: ${failed} of ${a.checks.length} checks failed (${a.points}/25).**`,
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
