import type { ActionPlanContext } from './contract';

/*
 * Placeholders the generic actions' text parameters may use (page summaries, ticket summaries,
 * webhook events). Pure: plans render the same text the activity sends.
 */

/** The placeholders, as written in a runbook. */
export const TEMPLATE_PLACEHOLDERS = ['incidentId', 'title', 'severity', 'principal', 'runbookId'] as const;

/** JSON Schema pattern admitting only known placeholders. */
export const TEMPLATE_PATTERN = `^(?:[^{}]|\\{(?:${TEMPLATE_PLACEHOLDERS.join('|')})\\})*$`;

/** Replaces each `{name}` with the incident's value (`principal` is `-` when the alert named none). */
export function renderTemplate(template: string, ctx: ActionPlanContext): string {
  const values: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    incidentId: ctx.incidentId,
    title: ctx.title,
    severity: ctx.severity,
    principal: ctx.principal ?? '-',
    runbookId: ctx.runbookId,
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name as keyof typeof values] : whole));
}
