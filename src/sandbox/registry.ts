import { start as startJira } from './jira/index';
import { start as startOpsgenie } from './opsgenie/index';
import { start as startPagerDuty } from './pagerduty/index';
import { start as startWebhook } from './webhook/index';
import { start as startKafka } from './kafka/index';
import { start as startSlack } from './slack/index';
import { start as startTemporal } from './temporal/index';
import type { RunningSandbox, SandboxName, SandboxStartOptions } from './types';
import { start as startVault } from './vault/index';

/** How each sandbox is started (design §4: each startable alone). */
export const SANDBOX_STARTERS: Readonly<Record<SandboxName, (options: SandboxStartOptions) => Promise<RunningSandbox>>> = {
  temporal: startTemporal,
  kafka: startKafka,
  vault: startVault,
  slack: startSlack,
};

// Stand-ins for the outside services of the generic actions (issue 17, item 3). They are not
// systems breachline connects to at start (no SystemName), so they sit in their own table; the
// CLI's `--sandbox` and the demo can start them by name from here.

/** Names of the outside-service stand-ins. */
export const SERVICE_STAND_IN_NAMES = ['pagerduty', 'opsgenie', 'jira', 'webhook'] as const;
/** One of {@link SERVICE_STAND_IN_NAMES}. */
export type ServiceStandInName = (typeof SERVICE_STAND_IN_NAMES)[number];

/** A started outside-service stand-in: its URL and what a client needs (keys), printable as JSON. */
export interface RunningServiceStandIn {
  readonly name: ServiceStandInName;
  readonly address: string;
  readonly connection: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** How each outside-service stand-in is started (in memory; port 0 picks a free one). */
export const SERVICE_STAND_IN_STARTERS: Readonly<Record<ServiceStandInName, (options: { host?: string; port?: number }) => Promise<RunningServiceStandIn>>> = {
  pagerduty: startPagerDuty,
  opsgenie: startOpsgenie,
  jira: startJira,
  webhook: startWebhook,
};
