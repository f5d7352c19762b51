import type { GenericActionDefinition } from './contract';
import { VAULT_PATH_PATTERN } from './secret-ref';

/** Parameters of `vault.revoke-lease-prefix`. */
export interface VaultRevokeLeasePrefixParams extends Record<string, unknown> {
  /** Lease id prefix, e.g. `auth/approle/login` or `database/creds/orders`. */
  prefix: string;
}

/** Revoke every Vault lease under a prefix (`PUT sys/leases/revoke-prefix/:prefix`). */
export const vaultRevokeLeasePrefix: GenericActionDefinition<VaultRevokeLeasePrefixParams> = {
  kind: 'generic',
  name: 'vault.revoke-lease-prefix',
  summary: 'Revoke every Vault lease (tokens, dynamic credentials) whose id starts with a prefix',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '1m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['prefix'],
    properties: {
      prefix: {
        type: 'string',
        pattern: VAULT_PATH_PATTERN,
        description: 'Lease id prefix, e.g. `auth/approle/login` or `database/creds/orders`. Needs a token with sudo on `sys/leases/revoke-prefix`.',
      },
    },
  },
  plan: (p) => [`revoke every Vault lease under ${p.prefix} (PUT sys/leases/revoke-prefix/${p.prefix})`],
  activity: 'actionVaultRevokeLeasePrefix',
};
