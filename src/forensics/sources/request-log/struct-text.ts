/**
 * A reader for the `toString` notation older Kafka brokers print in the request log: `Struct`
 * (`{name=value,list=[{…},{…}]}`), hand-written request descriptions (`(type=FetchRequest,
 * replicaId=-1, fetchData={orders-0=(fetchOffset=5, …)})`) and opaque values that carry their own
 * brackets (`Optional[0]`, `FileRecords(size=123, file=…)`). It yields plain objects, arrays and
 * strings; callers pick the fields they know under each spelling a broker version used.
 */

/** A parsed value: an object of fields, a list, or the raw text of a scalar. */
export type StructValue = string | StructValue[] | { [field: string]: StructValue };

const CLOSE: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }
}

/** Parses one value starting at the cursor. */
function value(c: Cursor): StructValue {
  c.skipSpaces();
  const open = c.peek();
  if (open === '[') return list(c);
  if (open === '{' || open === '(') return fields(c, open);
  return scalar(c);
}

function list(c: Cursor): StructValue[] {
  c.pos++;
  const out: StructValue[] = [];
  c.skipSpaces();
  if (c.peek() === ']') {
    c.pos++;
    return out;
  }
  for (;;) {
    out.push(value(c));
    c.skipSpaces();
    const ch = c.peek();
    c.pos++;
    if (ch === ']' || ch === '') return out;
  }
}

/** `{a=1,b=2}` or `(a=1, b=2)`; a bracket that holds no `name=` pairs is kept as text. */
function fields(c: Cursor, open: string): StructValue {
  const start = c.pos;
  c.pos++;
  const out: Record<string, StructValue> = {};
  const close = CLOSE[open] as string;
  c.skipSpaces();
  if (c.peek() === close) {
    c.pos++;
    return out;
  }
  for (;;) {
    c.skipSpaces();
    const eq = nameEnd(c.text, c.pos);
    if (eq < 0) {
      // Not a field list (e.g. `(record=…)` entries of printed records): keep the raw text.
      c.pos = start;
      return scalar(c);
    }
    const name = c.text.slice(c.pos, eq).trim();
    c.pos = eq + 1;
    out[name] = value(c);
    c.skipSpaces();
    const ch = c.peek();
    c.pos++;
    if (ch === close || ch === '') return out;
  }
}

/** Index of the `=` ending a field name at `from`, or -1 when no name is there. */
function nameEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '=') return i > from ? i : -1;
    if (ch === ',' || ch === '{' || ch === '}' || ch === '[' || ch === ']' || ch === '(' || ch === ')') return -1;
  }
  return -1;
}

/** Text up to the next delimiter at this level; brackets inside it are skipped balanced. */
function scalar(c: Cursor): string {
  const start = c.pos;
  let depth = 0;
  while (c.pos < c.text.length) {
    const ch = c.text[c.pos] as string;
    if (ch === '{' || ch === '[' || ch === '(') depth++;
    else if (ch === '}' || ch === ']' || ch === ')') {
      if (depth === 0) break;
      depth--;
    } else if (ch === ',' && depth === 0) break;
    c.pos++;
  }
  return c.text.slice(start, c.pos).trim();
}

/** Parses a whole `{…}`, `(…)` or `[…]` text; trailing text is ignored. */
export function parseStructText(text: string): StructValue {
  return value(new Cursor(text));
}

/** The first of `names` present on an object value. */
export function field(v: StructValue | undefined, ...names: string[]): StructValue | undefined {
  if (v === undefined || typeof v === 'string' || Array.isArray(v)) return undefined;
  for (const n of names) if (v[n] !== undefined) return v[n];
  return undefined;
}

/** A list field (absent or not a list: empty). */
export function listField(v: StructValue | undefined, ...names: string[]): StructValue[] {
  const f = field(v, ...names);
  return Array.isArray(f) ? f : [];
}

/** A scalar field as text. */
export function textField(v: StructValue | undefined, ...names: string[]): string | undefined {
  const f = field(v, ...names);
  return typeof f === 'string' ? f : undefined;
}
