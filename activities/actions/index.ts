import type { KafkaConnection } from '../../src/kafka/client';
import type { Logger } from '../../src/log/logger';
import type { SecretsPort } from '../../src/vault/port';
import { createHttpActivities } from './http';
import { createKafkaActionActivities } from './kafka';
import { createPageActivities, type PageEndpoints } from './page';
import { createTicketActivities } from './ticket';
import { createVaultActionActivities } from './vault';
import { createVaultTraceActivities, type VaultAuditSource } from './vault-trace';

/** Where the outside services live (worker config; a runbook can never point a credential elsewhere). */
export interface ActionEndpoints extends PageEndpoints {
  /** Jira Cloud site, e.g. `https://acme.atlassian.net`. */
  jira?: string;
}

/** What the generic actions' activities need. */
export interface ActionDeps {
  kafka: KafkaConnection;
  secrets: SecretsPort;
  logger: Logger;
  endpoints?: ActionEndpoints;
  now?: () => Date;
  /** The Vault audit device and the file or topic `vault.trace-token` reads (leaked-token playbook). */
  vaultAudit?: VaultAuditSource;
}

/**
 * Every generic action activity (issue 17, item 3), by the names the definitions in
 * `src/actions/` register: `page`, `ticket`, `http`, `kafka.*`, `vault.*` and their compensations.
 */
export function createActionActivities(deps: ActionDeps) {
  const endpoints = deps.endpoints ?? {};
  return {
    ...createPageActivities({ secrets: deps.secrets, endpoints }),
    ...createTicketActivities({ secrets: deps.secrets, ...(endpoints.jira !== undefined ? { jiraUrl: endpoints.jira } : {}) }),
    ...createHttpActivities({ secrets: deps.secrets, ...(deps.now !== undefined ? { now: deps.now } : {}) }),
    ...createKafkaActionActivities({ kafka: deps.kafka, logger: deps.logger }),
    ...createVaultActionActivities({ secrets: deps.secrets }),
    ...createVaultTraceActivities({ secrets: deps.secrets, kafka: deps.kafka, logger: deps.logger, ...(deps.vaultAudit !== undefined ? { audit: deps.vaultAudit } : {}) }),
  };
}
