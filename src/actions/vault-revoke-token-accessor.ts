import type { GenericActionDefinition } from './contract';

/** Parameters of `vault.revoke-token-accessor`. */
export interface VaultRevokeTokenAccessorParams extends Record<string, unknown> {
  /** Accessors of the tokens to revoke (never the tokens themselves). */
  accessors: string[];
}

/** Revoke Vault tokens (and their children) by accessor (`POST auth/token/revoke-accessor`). */
export const vaultRevokeTokenAccessor: GenericActionDefinition<VaultRevokeTokenAccessorParams> = {
  kind: 'generic',
  name: 'vault.revoke-token-accessor',
  summary: 'Revoke Vault tokens and their child tokens by accessor',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '1m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['accessors'],
    properties: {
      accessors: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', pattern: '^[A-Za-z0-9.]+$' },
        description: 'Token accessors (from the Vault audit log or `auth/token/accessors`); an accessor is not a credential, so it may appear in a runbook and in history.',
      },
    },
  },
  plan: (p) => p.accessors.map((a) => `revoke the Vault token with accessor ${a} and its children (POST auth/token/revoke-accessor)`),
  // Acts on Vault tokens and secrets, never on the alert's Kafka principal (leaked-token playbook).
  needsPrincipal: false,
  activity: 'actionVaultRevokeTokenAccessor',
};
