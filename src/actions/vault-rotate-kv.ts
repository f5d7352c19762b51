import type { GenericActionDefinition } from './contract';
import { VAULT_PATH_PATTERN } from './secret-ref';

/** Parameters of `vault.rotate-kv`. */
export interface VaultRotateKvParams extends Record<string, unknown> {
  /** KV v2 path below the mount, e.g. `payments/db`. */
  path: string;
  /** Keys that get a new random value; other keys are carried over unchanged. */
  keys: string[];
  /** Random bytes per new value. @default 32 */
  bytes?: number;
  /** How the random bytes are written. @default 'base64url' */
  encoding?: 'base64url' | 'hex';
}

/** New random values for named keys of a KV v2 secret, written with check-and-set; the old version stays. */
export const vaultRotateKv: GenericActionDefinition<VaultRotateKvParams> = {
  kind: 'generic',
  name: 'vault.rotate-kv',
  summary: 'Write a new KV v2 version with fresh random values for named keys (check-and-set; the old version is kept)',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '1m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'keys'],
    properties: {
      path: { type: 'string', pattern: VAULT_PATH_PATTERN, description: 'KV v2 path below the mount, e.g. `payments/db`. The secret must exist.' },
      keys: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, description: 'Keys that get a new random value; the other keys are carried over.' },
      bytes: { type: 'integer', minimum: 16, maximum: 128, default: 32, description: 'Random bytes per new value.' },
      encoding: { enum: ['base64url', 'hex'], default: 'base64url', description: 'How the random bytes are written.' },
    },
  },
  plan: (p) => [`write a new version of ${p.path} with fresh ${p.bytes ?? 32}-byte ${p.encoding ?? 'base64url'} values for ${p.keys.join(', ')} (check-and-set on the current version; the old version is kept)`],
  activity: 'actionVaultRotateKv',
};
