import type { GenericActionDefinition } from './contract';
import { http } from './http';
import { kafkaPauseConsumerGroup } from './kafka-pause-consumer-group';
import { kafkaResetOffsets } from './kafka-reset-offsets';
import { page } from './page';
import { ticket } from './ticket';
import { vaultRevokeLeasePrefix } from './vault-revoke-lease-prefix';
import { vaultRevokeTokenAccessor } from './vault-revoke-token-accessor';
import { vaultRotateKv } from './vault-rotate-kv';
import { vaultTraceToken } from './vault-trace-token';
import { waitFor } from './wait-for';

/**
 * The generic actions of issue 17, item 3, in the order the docs list them. Pure and
 * workflow-safe. The registry lists them after its own (`GENERIC_ACTIONS` in
 * `src/domain/generic-actions.ts`: `...ISSUE_17_ACTIONS`); their activities are
 * `createActionActivities` in `activities/actions/index.ts`.
 */
export const ISSUE_17_ACTIONS: readonly GenericActionDefinition[] = [
  page,
  ticket,
  http,
  kafkaPauseConsumerGroup,
  kafkaResetOffsets,
  vaultRevokeLeasePrefix,
  vaultRotateKv,
  vaultRevokeTokenAccessor,
  // Leaked-Vault-token playbook (issue 17, item 4).
  vaultTraceToken,
  // Carried out by the workflow itself (issue 17, item 3: wait-for).
  waitFor,
];
