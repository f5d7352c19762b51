import type { GenericActionDefinition } from './contract';
import { SECRET_REF_SCHEMA } from './secret-ref';
import { TEMPLATE_PATTERN, renderTemplate } from './template';

/** Parameters of `ticket`. */
export interface TicketParams extends Record<string, unknown> {
  /** `create` opens the incident's ticket; `sync` moves every ticket of the incident to `status`. @default 'create' */
  mode?: 'create' | 'sync';
  /** Vault reference `<kv path>#<key>` whose value is `email:api-token`. */
  credential: string;
  /** Project key (create). */
  project?: string;
  /** @default 'Task' */
  issueType?: string;
  /** @default '[{severity}] {title} ({incidentId})' */
  summary?: string;
  /** Extra labels (no spaces). */
  labels?: string[];
  /** Target status of `sync`, and of the compensation of `create`. @default 'Done' */
  status?: string;
}

/** The default ticket summary. */
export const DEFAULT_TICKET_SUMMARY = '[{severity}] {title} ({incidentId})';

const labelSafe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/** The label every ticket of an incident carries (what `sync` searches by). */
export function incidentLabel(incidentId: string): string {
  return `breachline-incident-${labelSafe(incidentId)}`;
}

/** The label that makes `create` idempotent: one ticket per incident and step. */
export function stepLabel(stepId: string): string {
  return `breachline-step-${labelSafe(stepId)}`;
}

/**
 * Open a Jira ticket for the incident (one per incident and step, found again by its labels) or,
 * in `sync` mode, move the incident's tickets to a status, e.g. as the step before `close`.
 */
export const ticket: GenericActionDefinition<TicketParams> = {
  kind: 'generic',
  name: 'ticket',
  summary: 'Open a Jira Cloud ticket for the incident (once per step, found again by label), or move its tickets to a status (sync)',
  phase: { started: 'notifying', completed: 'notifying' },
  defaultTimeout: '1m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['credential'],
    if: { properties: { mode: { const: 'sync' } }, required: ['mode'] },
    else: { required: ['project'] },
    properties: {
      mode: { enum: ['create', 'sync'], default: 'create', description: '`create` opens the ticket; `sync` moves every ticket of this incident to `status` (put it before `close`).' },
      credential: { ...SECRET_REF_SCHEMA, description: 'Vault KV reference `<path>#<key>` whose value is `email:api-token` (Jira Cloud basic auth).' },
      project: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{1,9}$', description: 'Jira project key (required to create).' },
      issueType: { type: 'string', minLength: 1, default: 'Task', description: 'Issue type name.' },
      summary: { type: 'string', minLength: 1, maxLength: 255, pattern: TEMPLATE_PATTERN, default: DEFAULT_TICKET_SUMMARY, description: 'Ticket summary; placeholders `{incidentId}`, `{title}`, `{severity}`, `{principal}`, `{runbookId}`.' },
      labels: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[^\\s]+$' }, description: 'Extra labels (no spaces).' },
      status: { type: 'string', minLength: 1, default: 'Done', description: 'Status `sync` moves the tickets to, and the compensation of `create` moves its ticket to.' },
    },
  },
  plan: (p, ctx) =>
    (p.mode ?? 'create') === 'sync'
      ? [`move every Jira ticket labelled ${incidentLabel(ctx.incidentId)} to ${p.status ?? 'Done'}`]
      : [
          `open a Jira ${p.issueType ?? 'Task'} in project ${p.project ?? '?'}: "${renderTemplate(p.summary ?? DEFAULT_TICKET_SUMMARY, ctx)}" (unless one labelled ${incidentLabel(ctx.incidentId)} for this step exists)`,
        ],
  activity: 'actionTicket',
  compensation: 'actionTicketClose',
  // Step outputs (issue 17, item 4).
  outputs: { key: { type: 'string', description: 'Key of the Jira issue opened (or found again) in `create` mode, e.g. `SEC-42`; `sync` produces none.' } },
};
