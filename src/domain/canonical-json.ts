import { CanonicalJsonError } from './errors';

/**
 * Canonical JSON in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, strings escaped and numbers printed exactly as ECMAScript `JSON.stringify` does.
 * Two parties that hold the same event therefore hash the same bytes.
 *
 * Stricter than `JSON.stringify` where that one would silently change the data: `undefined`
 * (dropped or turned into null), `NaN`/`Infinity` (turned into null), `bigint` (throws anyway),
 * `Date` and other class instances (turned into whatever `toJSON` says), and cycles are refused
 * with the path of the offending value.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set<object>());
}

/** `ancestors` holds the containers on the current path only, so shared (non-cyclic) values pass. */
function write(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a finite number`);
      // JSON.stringify prints -0 as 0 and otherwise uses the shortest round-trip form, as JCS asks.
      return JSON.stringify(value);
    case 'undefined':
      throw new CanonicalJsonError(path, 'undefined has no JSON form (omit the key instead)');
    case 'bigint':
      throw new CanonicalJsonError(path, 'bigint has no exact JSON number form (use a decimal string)');
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(path, `${typeof value} has no JSON form`);
  }
  if (value === null) return 'null';
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'circular reference');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new CanonicalJsonError(`${path}[${i}]`, 'sparse array hole');
        items.push(write(value[i], `${path}[${i}]`, ancestors));
      }
      return `[${items.join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(path, `${(value as object).constructor?.name ?? 'object'} instance is not plain JSON data`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is exactly the order RFC 8785 §3.2.3 requires.
    const keys = Object.keys(record).sort();
    const members = keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`, ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
