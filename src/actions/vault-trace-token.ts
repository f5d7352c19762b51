import type { GenericActionDefinition } from './contract';
import { ISO_INSTANT_PATTERN } from './kafka-reset-offsets';

/** Parameters of `vault.trace-token`. */
export interface VaultTraceTokenParams extends Record<string, unknown> {
  /** Accessor of the leaked token (never the token itself). */
  accessor: string;
  /** Only reads from this instant on are reported (ISO 8601), e.g. the alert's `suspectedSince`. */
  since?: string;
  /** Where Kafka service accounts' credentials live in KV; `{account}` is the account. @default 'kafka/service-accounts/{account}' */
  kafkaCredentialPathTemplate?: string;
  /** The KV v2 mount whose reads are reported. @default 'secret' */
  mount?: string;
}

/**
 * Trace a leaked Vault token through the audit log: the tokens it created and every KV secret it
 * or they read successfully. The accessor is looked up by its HMAC (`sys/audit-hash/<device>`),
 * since the log never holds it in clear; the worker is configured with the audit device and the
 * log file it writes, or the Kafka topic a shipper produces its lines to. The outputs feed the rest of the playbook: the paths to rotate, the Kafka
 * accounts whose credentials were among them, and the live token accessors to revoke.
 */
export const vaultTraceToken: GenericActionDefinition<VaultTraceTokenParams> = {
  kind: 'generic',
  name: 'vault.trace-token',
  summary: 'Find in the Vault audit log what a leaked token and the tokens it created read',
  phase: { started: 'investigating', completed: 'investigating' },
  defaultTimeout: '5m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['accessor'],
    properties: {
      accessor: { type: 'string', pattern: '^[A-Za-z0-9.]+$', description: 'Accessor of the leaked token, usually the alert’s `accessor` field; an accessor is not a credential.' },
      since: { type: 'string', pattern: ISO_INSTANT_PATTERN, description: 'Only reads from this instant on are reported (children are followed whatever their age), e.g. the alert’s `suspectedSince`.' },
      kafkaCredentialPathTemplate: {
        type: 'string',
        pattern: '^[A-Za-z0-9_./-]*\\{account\\}[A-Za-z0-9_./-]*$',
        default: 'kafka/service-accounts/{account}',
        description: 'KV path of a Kafka service account’s credentials; `{account}` is the account. Reads of such paths become `kafkaAccounts`.',
      },
      mount: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', default: 'secret', description: 'The KV v2 mount whose reads are reported.' },
    },
  },
  plan: (p) => [
    `hash accessor ${p.accessor} with the audit device's salt (sys/audit-hash) and find its entries in the audit log`,
    `follow the tokens it created (auth/token/create* responses) and list every KV secret under ${p.mount ?? 'secret'}/ they read${p.since !== undefined ? ` since ${p.since}` : ''}`,
    `name the Kafka accounts whose credentials (${p.kafkaCredentialPathTemplate ?? 'kafka/service-accounts/{account}'}) were read`,
  ],
  outputs: {
    paths: { type: 'string-list', description: 'KV paths (below the mount) the token and its children read successfully: every one is a secret the attacker may keep.' },
    kafkaAccounts: { type: 'string-list', description: 'Kafka service accounts whose credentials were among the paths (for `rotate-credentials` `blastRadius`).' },
    kafkaPrincipals: { type: 'string-list', description: 'The same accounts as principals, `User:<account>` (for `contain` and `forensics` `principals`).' },
    tokenAccessors: { type: 'string-list', description: 'The leaked token’s accessor and the live tokens it created, orphans included (for `vault.revoke-token-accessor`).' },
  },
  // Acts on Vault tokens and secrets, never on the alert's Kafka principal (leaked-token playbook).
  needsPrincipal: false,
  activity: 'actionVaultTraceToken',
};
