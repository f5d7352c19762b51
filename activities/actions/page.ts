import type { GenericActionInput, GenericActionResult, GenericCompensationInput } from '../../src/actions/contract';
import { DEFAULT_PAGE_SUMMARY, pageDedupKey, type PageParams } from '../../src/actions/page';
import { renderTemplate } from '../../src/actions/template';
import { opsgenieAlerts, OPSGENIE_URL } from '../../src/integrations/opsgenie/alerts';
import { PAGERDUTY_EVENTS_URL, sendPagerDutyEvent } from '../../src/integrations/pagerduty/events';
import type { SecretsPort } from '../../src/vault/port';
import { asAction, resolveSecretRef } from './support';

/*
 * `page`: one alert per incident and step. PagerDuty deduplicates on the dedup key itself (its
 * Events API has no read), so a retried trigger folds into the open alert; Opsgenie is read first
 * by alias and not created again while it is open. The credential is read from Vault per call.
 */

/** Where the paging services live (config; a runbook cannot redirect a credential elsewhere). */
export interface PageEndpoints {
  /** @default PAGERDUTY_EVENTS_URL */
  pagerduty?: string;
  /** @default OPSGENIE_URL */
  opsgenie?: string;
}

/** What `page` needs. */
export interface PageActionDeps {
  secrets: SecretsPort;
  endpoints?: PageEndpoints;
}

const PRIORITY = { critical: 'P1', error: 'P2', warning: 'P3', info: 'P5' } as const;

/** The `page` activities. */
export function createPageActivities(deps: PageActionDeps) {
  const pd = deps.endpoints?.pagerduty ?? PAGERDUTY_EVENTS_URL;
  const og = deps.endpoints?.opsgenie ?? OPSGENIE_URL;
  return {
    async actionPage(input: GenericActionInput<PageParams>): Promise<GenericActionResult> {
      return asAction('page', async (): Promise<GenericActionResult> => {
        const p = input.params;
        const provider = p.provider ?? 'pagerduty';
        const severity = p.severity ?? 'critical';
        const summary = renderTemplate(p.summary ?? DEFAULT_PAGE_SUMMARY, input.context);
        const key = pageDedupKey(input.incidentId, input.stepId);
        const details = { incidentId: input.incidentId, runbook: input.context.runbookId, ...p.details };
        const credential = await resolveSecretRef(deps.secrets, p.credential, 'credential');
        // What the undo needs (no secret: the credential is a reference, read again at undo time).
        const compensation = { provider, dedupKey: key, credential: p.credential };
        if (provider === 'pagerduty') {
          await sendPagerDutyEvent(pd, credential, { eventAction: 'trigger', dedupKey: key, payload: { summary, source: 'breachline', severity, customDetails: details } });
          return { summary: `paged through PagerDuty (${severity}): ${summary}`, details: { provider, dedupKey: key, severity }, compensation, outputs: { dedupKey: key } };
        }
        const client = opsgenieAlerts(og, credential);
        const existing = await client.getByAlias(key);
        if (existing?.status === 'open') {
          return { summary: `Opsgenie alert ${key} is already open; not paged again`, details: { provider, alias: key, alreadyOpen: true }, compensation, outputs: { dedupKey: key } };
        }
        const message = summary.length > 130 ? `${summary.slice(0, 129)}…` : summary;
        await client.create({ message, alias: key, priority: PRIORITY[severity], source: 'breachline', description: summary, tags: ['breachline', input.incidentId], details });
        return { summary: `paged through Opsgenie (${PRIORITY[severity]}): ${message}`, details: { provider, alias: key, priority: PRIORITY[severity] }, compensation, outputs: { dedupKey: key } };
      });
    },

    async actionPageResolve(input: GenericCompensationInput): Promise<GenericActionResult> {
      return asAction('page (compensation)', async (): Promise<GenericActionResult> => {
        const c = input.compensation;
        const key = typeof c.dedupKey === 'string' ? c.dedupKey : pageDedupKey(input.incidentId, input.stepId);
        const credential = await resolveSecretRef(deps.secrets, String(c.credential ?? ''), 'credential');
        if (c.provider !== 'opsgenie') {
          // Resolving an alert that is already resolved is accepted by PagerDuty: idempotent.
          await sendPagerDutyEvent(pd, credential, { eventAction: 'resolve', dedupKey: key });
          return { summary: `resolved PagerDuty alert ${key}`, details: { provider: 'pagerduty', dedupKey: key } };
        }
        const client = opsgenieAlerts(og, credential);
        const existing = await client.getByAlias(key);
        if (existing?.status !== 'open') return { summary: `Opsgenie alert ${key} is not open; nothing to close`, details: { provider: 'opsgenie', alias: key } };
        await client.closeByAlias(key, `closed by breachline: incident ${input.incidentId} unwound step ${input.stepId}`, 'breachline');
        return { summary: `closed Opsgenie alert ${key}`, details: { provider: 'opsgenie', alias: key } };
      });
    },
  };
}
