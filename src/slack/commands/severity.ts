import { SEVERITIES, type SeverityRequest } from '../../../workflows/api';
import { escapeSlackText } from '../mrkdwn';
import { REFUSED_PREFIX } from '../reply-kind';
import { refreshCard } from './decision';
import { UsageError, type SubcommandSpec } from './context';

/** `/ir severity <id> <critical|high|medium|low> <reason…>`: an Update the incident answers. */
export const SEVERITY: SubcommandSpec = {
  name: 'severity',
  usage: `severity <incident-id> <${SEVERITIES.join('|')}> <reason>`,
  summary: 're-rate the incident, with the reason (incident commander)',
  async run(ctx) {
    const [, level, ...words] = ctx.args;
    const reason = words.join(' ').trim();
    if (level === undefined || reason === '') throw new UsageError('a severity and the reason for it are required');
    if (!(SEVERITIES as readonly string[]).includes(level)) throw new UsageError(`the severity is one of ${SEVERITIES.join(', ')}`);
    const workflowId = await ctx.incident();
    if (!(await ctx.authorize('severity', { workflowId }))) return;
    const role = ctx.deps.policy.decide({ userId: ctx.userId, action: 'severity', incidentId: workflowId }).role;
    const request: SeverityRequest = { severity: level as SeverityRequest['severity'], reason, requestedBy: ctx.userId, role };
    const answer = await ctx.deps.incidents.severity(workflowId, request);
    if (answer.accepted) await refreshCard(ctx, await ctx.deps.incidents.state(workflowId));
    await ctx.reply({
      text: answer.accepted
        ? `\`${workflowId}\`: ${escapeSlackText(answer.message)} (${escapeSlackText(reason)}).`
        : `${REFUSED_PREFIX} \`${workflowId}\` refused: ${escapeSlackText(answer.message)}.`,
    });
  },
};
