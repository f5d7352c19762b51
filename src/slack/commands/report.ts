import type { App } from '@slack/bolt';
import type { DomainEvent } from '../../domain/events';
import { renderReport } from '../../domain/report';
import { timeline } from '../../domain/timeline';
import { registerSubcommand, type OperationsDeps, type SubcommandSpec } from './context';

/** Slack refuses message text beyond 40,000 characters; stay clear of it. */
const MAX_TEXT = 38_000;

/** The Markdown report, or a timeline summary if the events cannot be rendered as one. */
export function reportText(events: readonly DomainEvent[]): string {
  try {
    return renderReport(events);
  } catch (err) {
    const lines = timeline([...events].sort((a, b) => a.seq - b.seq)).map((t) => `- ${t.at} ${t.summary}`);
    return `(the full report could not be rendered: ${(err as Error).message}; timeline summary instead)\n${lines.join('\n')}`;
  }
}

/** `/ir report <id>`: the post-incident report as it stands. */
export const REPORT: SubcommandSpec = {
  name: 'report',
  usage: 'report <incident-id>',
  summary: 'show the post-incident report (Markdown)',
  async run(ctx) {
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('report', { workflowId }))) return;
    const text = reportText(await ctx.deps.incidents.events(workflowId));
    const body = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n…(truncated; the full report is in the audit topic)` : text;
    await ctx.reply({ text: `\`\`\`\n${body}\n\`\`\`` });
  },
};

/** Registers `/ir report`. */
export function register(app: App, deps: OperationsDeps): void {
  registerSubcommand(app, deps, REPORT);
}
