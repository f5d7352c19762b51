import type { ActionEndpoints } from '../../activities/actions/index';
import type { PlaybookDeps } from '../../activities/index';
import type { ServiceStandIn } from '../config/systems';
import type { SecretsPort } from '../vault/port';
import type { RunningServiceStandIn } from './sandbox-door';

/*
 * Issue 17 ("standins"): how `breachline start` wires the outside-service stand-ins it started
 * (`--sandbox pagerduty,jira`, or the demo) into the generic actions.
 */

/** The action endpoints the started stand-ins give; the webhook gives none (an `http` step names its URL). */
export function standInEndpoints(services: readonly RunningServiceStandIn[]): ActionEndpoints {
  const endpoints: ActionEndpoints = {};
  for (const s of services) if (s.name !== 'webhook') endpoints[s.name] = s.address;
  return endpoints;
}

/** The deps with each started stand-in's address as its action's endpoint, over the configured ones. */
export function withStandIns(deps: PlaybookDeps, services: readonly RunningServiceStandIn[]): PlaybookDeps {
  const standIns = standInEndpoints(services);
  return Object.keys(standIns).length > 0 ? { ...deps, actionEndpoints: { ...deps.actionEndpoints, ...standIns } } : deps;
}

/** Where each stand-in's fixture credential goes in the embedded Vault: path, field, and the stand-in's connection key. */
export const STAND_IN_SECRETS: Readonly<Record<ServiceStandIn, { path: string; field: string; from: string }>> = {
  pagerduty: { path: 'breachline/pagerduty', field: 'routing_key', from: 'routingKey' },
  opsgenie: { path: 'breachline/opsgenie', field: 'api_key', from: 'apiKey' },
  jira: { path: 'breachline/jira', field: 'basic', from: 'credential' },
  webhook: { path: 'breachline/webhooks', field: 'sandbox', from: 'secret' },
};

/**
 * With the embedded Vault, writes each stand-in's fixture key where docs/actions.md's examples
 * reference it (`breachline/pagerduty#routing_key`, `breachline/jira#basic`, ...), so a runbook
 * step works against the stand-ins unchanged. Never called for a configured Vault: its
 * credentials are the operator's.
 */
export async function seedStandInCredentials(secrets: SecretsPort, services: readonly RunningServiceStandIn[]): Promise<void> {
  for (const s of services) {
    const spec = STAND_IN_SECRETS[s.name];
    const value = s.connection[spec.from];
    if (value !== undefined) await secrets.writeSecret(spec.path, { [spec.field]: value });
  }
}
