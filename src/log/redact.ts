/** What a censored value is replaced with. */
export const CENSOR = '[redacted]';

/**
 * Key names whose values are secrets or personal data, compared without case, `-` or `_`
 * (`x-slack-signature`, `X_Slack_Signature` and `xSlackSignature` are one name). Matched at any
 * depth: in arrays, in nested objects, in child-logger bindings.
 */
export const SECRET_KEY_NAMES: readonly string[] = [
  'password',
  'passwd',
  'saslPassword',
  'secret',
  'hmacSecret',
  'signingSecret',
  'clientSecret',
  'secretId',
  'token',
  'botToken',
  'appToken',
  'rootToken',
  'bearerToken',
  'accessToken',
  'refreshToken',
  'apiKey',
  'privateKey',
  'authorization',
  'proxyAuthorization',
  'cookie',
  'x-breachline-signature',
  'x-slack-signature',
  'x-vault-token',
  'payload',
  'pii',
  // Secured connections (issue 15): the OAuth client secret of Kafka's OAUTHBEARER login.
  'oauthClientSecret',
];

const normalise = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();
const SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_KEY_NAMES.map(normalise));

/** Whether a key name holds a secret (see {@link SECRET_KEY_NAMES}). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalise(key));
}

/** Shortest secret value scrubbed from free text: shorter ones would censor ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every occurrence of the known secret values in `text` (an error message, a stack, a
 * URL) by {@link CENSOR}. Longest first, so a secret that contains another is censored whole.
 */
export function redactSecrets(text: string, knownValues: Iterable<string>): string {
  const values = [...new Set(knownValues)].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(CENSOR);
  return out;
}

/** String values under secret keys, at any depth: what must also vanish from free text beside them. */
export function collectSecretValues(value: unknown, into: Set<string> = new Set(), seen: WeakSet<object> = new WeakSet()): Set<string> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return into;
  seen.add(value);
  for (const [key, v] of entries(value)) {
    if (isSecretKey(key)) addStrings(v, into);
    else collectSecretValues(v, into, seen);
  }
  return into;
}

function addStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Buffer.isBuffer(value)) into.add(value.toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) addStrings(v, into);
}

/**
 * A copy of `value` with every secret-named key censored at any depth and every known secret
 * value scrubbed from strings. Errors become plain `{ type, message, stack, …own fields }` so their
 * text can be scrubbed too (pino's serializer would otherwise print them as they are). Cycles are
 * cut, not followed.
 */
export function redactDeep(value: unknown, knownValues: ReadonlySet<string>, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return knownValues.size > 0 ? redactSecrets(value, knownValues) : value;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, knownValues, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out.type = value.name;
    out.message = redactDeep(value.message, knownValues, seen);
    if (value.stack !== undefined) out.stack = redactDeep(value.stack, knownValues, seen);
    if (value.cause !== undefined) out.cause = redactDeep(value.cause, knownValues, seen);
  }
  for (const [key, v] of entries(value)) out[key] = isSecretKey(key) ? CENSOR : redactDeep(v, knownValues, seen);
  return out;
}

function entries(value: object): Array<[string, unknown]> {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [String(k), v]);
  return Object.entries(value);
}
