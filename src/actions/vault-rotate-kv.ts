import type { GenericActionDefinition } from './contract';
import { VAULT_PATH_PATTERN } from './secret-ref';

/** Parameters of `vault.rotate-kv`: `path` (one secret) or `paths` (many, e.g. a trace's output). */
export interface VaultRotateKvParams extends Record<string, unknown> {
  /** KV v2 path below the mount, e.g. `payments/db`. */
  path?: string;
  /** Several KV v2 paths; an empty list rotates nothing. Leaked-token playbook (issue 17, item 4). */
  paths?: string[];
  /** Keys that get a new random value; other keys are carried over unchanged. Absent: every key. */
  keys?: string[];
  /** Paths matching this template (`{account}` any one segment) are left alone, e.g. Kafka accounts that `rotate-credentials` rotates with the brokers. */
  exceptPathTemplate?: string;
  /** Random bytes per new value. @default 32 */
  bytes?: number;
  /** How the random bytes are written. @default 'base64url' */
  encoding?: 'base64url' | 'hex';
}

const keysOf = (p: VaultRotateKvParams): string => (p.keys === undefined ? 'every key' : p.keys.join(', '));

/** New random values for the keys of KV v2 secrets, written with check-and-set; the old versions stay. */
export const vaultRotateKv: GenericActionDefinition<VaultRotateKvParams> = {
  kind: 'generic',
  name: 'vault.rotate-kv',
  summary: 'Write a new KV v2 version with fresh random values for named keys (check-and-set; the old version is kept)',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '1m',
  params: {
    type: 'object',
    additionalProperties: false,
    anyOf: [{ required: ['path'] }, { required: ['paths'] }],
    properties: {
      path: { type: 'string', pattern: VAULT_PATH_PATTERN, description: 'KV v2 path below the mount, e.g. `payments/db`. The secret must exist.' },
      paths: {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', pattern: VAULT_PATH_PATTERN },
        description: 'Several KV v2 paths (e.g. `${{ steps.trace.outputs.paths }}`); each must exist. An empty list rotates nothing.',
      },
      keys: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, description: 'Keys that get a new random value; the other keys are carried over. Absent: every key of each secret.' },
      exceptPathTemplate: {
        type: 'string',
        pattern: '^[A-Za-z0-9_./-]*\\{account\\}[A-Za-z0-9_./-]*$',
        description: 'Paths of this shape are skipped, e.g. `kafka/service-accounts/{account}` when `rotate-credentials` rotates those with the brokers.',
      },
      bytes: { type: 'integer', minimum: 16, maximum: 128, default: 32, description: 'Random bytes per new value.' },
      encoding: { enum: ['base64url', 'hex'], default: 'base64url', description: 'How the random bytes are written.' },
    },
  },
  plan: (p) => {
    const paths = [...(p.path !== undefined ? [p.path] : []), ...(p.paths ?? [])];
    const except = p.exceptPathTemplate !== undefined ? ` (except paths like ${p.exceptPathTemplate})` : '';
    if (paths.length === 0) return ['rotate nothing: no path given'];
    return paths.map((path) => `write a new version of ${path}${except} with fresh ${p.bytes ?? 32}-byte ${p.encoding ?? 'base64url'} values for ${keysOf(p)} (check-and-set on the current version; the old version is kept)`);
  },
  // Acts on Vault tokens and secrets, never on the alert's Kafka principal (leaked-token playbook).
  needsPrincipal: false,
  activity: 'actionVaultRotateKv',
};
