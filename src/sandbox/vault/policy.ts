import { badRequest } from './errors';
import { HclSyntaxError, parseHcl, type HclBody, type HclValue } from './hcl';

/** Capabilities a Vault ACL rule can grant. `patch` is accepted and treated like `update`. */
export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'] as const;
/** One of {@link CAPABILITIES}. */
export type Capability = (typeof CAPABILITIES)[number];

/** One `path` block of a policy. */
export interface PathRule {
  readonly pattern: string;
  readonly capabilities: readonly Capability[];
}

/** A named, parsed ACL policy with its source text. */
export interface AclPolicy {
  readonly name: string;
  readonly text: string;
  readonly rules: readonly PathRule[];
}

// Pre-capability policies used a single `policy = "..."` word; Vault still maps it like this.
const LEGACY: Readonly<Record<string, readonly Capability[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

function asCapabilities(value: HclValue | undefined, pattern: string): Capability[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest(`failed to parse policy: capabilities for "${pattern}" must be a list`);
  return value.map((v) => {
    if (typeof v !== 'string' || !(CAPABILITIES as readonly string[]).includes(v.toLowerCase())) {
      throw badRequest(`failed to parse policy: path "${pattern}": invalid capability ${JSON.stringify(v)}`);
    }
    return v.toLowerCase() as Capability;
  });
}

function rulesFromBody(body: HclBody): PathRule[] {
  const rules: PathRule[] = [];
  for (const item of body.items) {
    if (item.key === 'name') continue;
    if (item.key !== 'path') throw badRequest(`failed to parse policy: invalid key "${item.key}"`);
    // JSON policies nest as `path { "secret/*" { ... } }`; HCL gives `path "secret/*" { ... }`.
    const entries: Array<[string, HclValue]> =
      item.labels.length === 1 && item.labels[0] !== undefined
        ? [[item.labels[0], item.value]]
        : item.labels.length === 0 && typeof item.value === 'object' && !Array.isArray(item.value)
          ? item.value.items.map((i): [string, HclValue] => [i.key, i.value])
          : [];
    if (entries.length === 0) throw badRequest('failed to parse policy: a path block needs exactly one path');
    for (const [pattern, value] of entries) {
      if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`failed to parse policy: path "${pattern}" must be a block`);
      const caps = asCapabilities(value.items.find((i) => i.key === 'capabilities')?.value, pattern);
      const legacy = value.items.find((i) => i.key === 'policy')?.value;
      if (typeof legacy === 'string') {
        const mapped = LEGACY[legacy];
        if (!mapped) throw badRequest(`failed to parse policy: path "${pattern}": invalid policy "${legacy}"`);
        caps.push(...mapped);
      }
      rules.push({ pattern: pattern.replace(/^\//, ''), capabilities: [...new Set(caps)] });
    }
  }
  return rules;
}

function jsonToHcl(value: unknown): HclValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(jsonToHcl);
  if (value && typeof value === 'object') {
    return { items: Object.entries(value).map(([key, v]) => ({ key, labels: [], value: jsonToHcl(v), isBlock: false })) };
  }
  throw badRequest('failed to parse policy: unsupported JSON value');
}

/** Parses a policy in HCL (or its JSON form); a syntax problem is a 400, as in Vault. */
export function parsePolicy(name: string, text: string): AclPolicy {
  let body: HclBody;
  try {
    if (text.trim().startsWith('{')) {
      const parsed = jsonToHcl(JSON.parse(text) as unknown);
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('failed to parse policy: expected an object');
      body = parsed;
    } else {
      body = parseHcl(text);
    }
  } catch (err) {
    if (err instanceof HclSyntaxError || err instanceof SyntaxError) throw badRequest(`failed to parse policy: ${err.message}`);
    throw err;
  }
  return { name, text, rules: rulesFromBody(body) };
}

/** The built-in `default` policy, trimmed to the self-service paths the sandbox serves. */
export const DEFAULT_POLICY_TEXT = `# Allow tokens to look up, renew and revoke themselves
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
# Allow a token to ask what it may do
path "sys/capabilities-self" {
  capabilities = ["update"]
}
# Allow a token to look up and renew its own leases
path "sys/leases/lookup" {
  capabilities = ["update"]
}
path "sys/leases/renew" {
  capabilities = ["update"]
}
`;
