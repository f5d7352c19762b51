import type { GenericActionInput, GenericActionResult, GenericCompensationInput } from '../../src/actions/contract';
import { renderTemplate } from '../../src/actions/template';
import { DEFAULT_TICKET_SUMMARY, incidentLabel, stepLabel, type TicketParams } from '../../src/actions/ticket';
import { jiraClient } from '../../src/integrations/jira/client';
import type { SecretsPort } from '../../src/vault/port';
import { ActionRefused, asAction, resolveSecretRef } from './support';

/*
 * `ticket`: Jira Cloud. `create` searches first by the incident and step labels, so a retry or a
 * re-run finds the ticket it opened instead of opening another; `sync` moves every ticket of the
 * incident to a status through the transition that leads there; the compensation of `create`
 * does the same for its one ticket. The Jira site comes from config, never from a runbook.
 */

/** What `ticket` needs. */
export interface TicketActionDeps {
  secrets: SecretsPort;
  /** Jira Cloud site, e.g. `https://acme.atlassian.net`; absent: the action fails with a precise error. */
  jiraUrl?: string;
}

type Jira = ReturnType<typeof jiraClient>;

async function client(deps: TicketActionDeps, credentialRef: string): Promise<Jira> {
  if (deps.jiraUrl === undefined) throw new ActionRefused('JiraNotConfigured', 'no Jira site is configured for the worker (PlaybookDeps.actionEndpoints.jira)');
  const credential = await resolveSecretRef(deps.secrets, credentialRef, 'credential');
  if (!credential.includes(':')) throw new ActionRefused('InvalidSecretReference', 'credential: the secret must hold "email:api-token"');
  return jiraClient(deps.jiraUrl, credential);
}

/** Moves `key` to `status` unless it is there; returns what happened. */
async function moveTo(jira: Jira, key: string, current: string, status: string): Promise<'moved' | 'already'> {
  if (current.toLowerCase() === status.toLowerCase()) return 'already';
  const options = await jira.transitions(key);
  const t = options.find((o) => o.to.toLowerCase() === status.toLowerCase()) ?? options.find((o) => o.name.toLowerCase() === status.toLowerCase());
  if (!t) throw new ActionRefused('JiraTransitionMissing', `status: ${key} (${current}) has no transition to "${status}"; available: ${options.map((o) => `${o.name} → ${o.to}`).join(', ')}`);
  await jira.transition(key, t.id);
  return 'moved';
}

const labelsJql = (...labels: string[]): string => labels.map((l) => `labels = "${l}"`).join(' AND ');

/** The `ticket` activities. */
export function createTicketActivities(deps: TicketActionDeps) {
  return {
    async actionTicket(input: GenericActionInput<TicketParams>): Promise<GenericActionResult> {
      return asAction('ticket', async (): Promise<GenericActionResult> => {
        const p = input.params;
        const jira = await client(deps, p.credential);
        const byIncident = incidentLabel(input.incidentId);
        if ((p.mode ?? 'create') === 'sync') {
          const status = p.status ?? 'Done';
          const found = await jira.search(labelsJql(byIncident));
          const details: Record<string, string> = {};
          for (const issue of found) details[issue.key] = await moveTo(jira, issue.key, issue.status, status);
          const moved = Object.values(details).filter((d) => d === 'moved').length;
          return { summary: `${found.length} ticket(s) of ${input.incidentId} at ${status} (${moved} moved)`, details: { status, tickets: found.length, moved, ...details } };
        }
        if (p.project === undefined) throw new ActionRefused('InvalidParameter', 'project: required to create a ticket');
        const byStep = stepLabel(input.stepId);
        const [existing] = await jira.search(labelsJql(byIncident, byStep));
        // What the undo needs: the ticket, where it goes, and the credential's reference (not the credential).
        const undo = { credential: p.credential, status: p.status ?? 'Done' };
        if (existing) return { summary: `Jira ticket ${existing.key} exists already (${existing.status})`, details: { key: existing.key, status: existing.status, created: false }, compensation: { key: existing.key, ...undo }, outputs: { key: existing.key } };
        const c = input.context;
        const key = await jira.create({
          project: p.project,
          issueType: p.issueType ?? 'Task',
          summary: renderTemplate(p.summary ?? DEFAULT_TICKET_SUMMARY, c),
          description: [`Incident ${input.incidentId} (${c.severity}): ${c.title}.`, `Runbook ${c.runbookId}, step ${input.stepId}.`, ...(c.principal !== undefined ? [`Principal: ${c.principal}.`] : [])],
          labels: [byIncident, byStep, ...(p.labels ?? [])],
        });
        return { summary: `opened Jira ticket ${key}`, details: { key, created: true }, compensation: { key, ...undo }, outputs: { key } };
      });
    },

    async actionTicketClose(input: GenericCompensationInput): Promise<GenericActionResult> {
      return asAction('ticket (compensation)', async (): Promise<GenericActionResult> => {
        const key = input.compensation.key;
        if (typeof key !== 'string') return { summary: 'no ticket was opened; nothing to close', details: {} };
        const jira = await client(deps, String(input.compensation.credential ?? ''));
        const status = typeof input.compensation.status === 'string' ? input.compensation.status : 'Done';
        const current = await jira.get(key);
        const what = await moveTo(jira, key, current.status, status);
        return { summary: `Jira ticket ${key} ${what === 'moved' ? 'moved to' : 'already at'} ${status}`, details: { key, status } };
      });
    },
  };
}
