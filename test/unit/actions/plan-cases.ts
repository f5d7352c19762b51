import type { ActionPlanContext } from '../../../src/actions/contract';

/** The incident every golden plan is rendered for. */
export const PLAN_CONTEXT: ActionPlanContext = { incidentId: 'incident-3f2a', runbookId: 'poisoned-topic', severity: 'high', title: 'Forged trades on orders', principal: 'User:rogue-producer' };

/** Runbook params per action, each valid against the action's schema; one golden plan file per case. */
export const PLAN_CASES: ReadonlyArray<{ file: string; action: string; params: Record<string, unknown> }> = [
  { file: 'page.pagerduty', action: 'page', params: { credential: 'breachline/pagerduty#routing_key' } },
  { file: 'page.opsgenie', action: 'page', params: { provider: 'opsgenie', credential: 'breachline/opsgenie#api_key', severity: 'warning', summary: 'Breach {incidentId} by {principal}' } },
  { file: 'ticket.create', action: 'ticket', params: { credential: 'breachline/jira#basic', project: 'SEC', issueType: 'Incident' } },
  { file: 'ticket.sync', action: 'ticket', params: { mode: 'sync', credential: 'breachline/jira#basic', status: 'Done' } },
  { file: 'http', action: 'http', params: { url: 'https://trading.internal/hooks/halt', credential: 'breachline/webhooks#trading', event: 'halt:{incidentId}', successStatus: [200, 202] } },
  { file: 'kafka.pause-consumer-group', action: 'kafka.pause-consumer-group', params: { group: 'risk-engine', principals: ['User:risk-engine', 'User:risk-backfill'] } },
  { file: 'kafka.reset-offsets.timestamp', action: 'kafka.reset-offsets', params: { group: 'risk-engine', topic: 'orders', timestamp: '2026-12-05T09:58:00Z' } },
  { file: 'kafka.reset-offsets.offsets', action: 'kafka.reset-offsets', params: { group: 'risk-engine', topic: 'orders', offsets: { '0': '1200', '3': '0' } } },
  { file: 'vault.revoke-lease-prefix', action: 'vault.revoke-lease-prefix', params: { prefix: 'auth/approle/login' } },
  { file: 'vault.rotate-kv', action: 'vault.rotate-kv', params: { path: 'payments/db', keys: ['password', 'api_key'] } },
  { file: 'vault.revoke-token-accessor', action: 'vault.revoke-token-accessor', params: { accessors: ['kD1pd0wQbXy7oNcT3vYl2Aq8', 'Zr4mN8pQ2sT6vW0xY3zA5bC7'] } },
];
