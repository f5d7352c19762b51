/**
 * Temporal's SQL-like visibility filter (`ListWorkflowExecutions.query`,
 * `client.workflow.list({ query })`), compiled once into a predicate and a sort order over the
 * sandbox's in-memory visibility records.
 *
 * Where SQL and Elasticsearch backends of the real server disagree, this follows Elasticsearch (the
 * default for production clusters): a negated comparison (`!=`, `NOT IN`, `NOT BETWEEN`, `NOT …`)
 * also matches records that do not have the attribute at all.
 */

import { describeToken, KEYWORDS, tokenize, VisibilityQueryError, type Token } from './visibility-query-lexer';

export { VisibilityQueryError };

/** Workflow execution statuses as visibility queries spell them. */
export type ExecutionStatusName = 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';

/** Search attribute types, named as Temporal's `IndexedValueType` without the prefix. */
export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** A decoded search attribute value; `Datetime` values are ISO-8601 strings. */
export type SearchAttributeValue = string | number | boolean | string[];

/** One workflow run as the visibility store sees it. Times are epoch milliseconds. */
export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatusName;
  startTime: number;
  executionTime?: number;
  closeTime?: number;
  searchAttributes: Readonly<Record<string, SearchAttributeValue>>;
}

/** A parsed query: a filter plus the order the results are listed in. */
export interface CompiledVisibilityQuery {
  matches(record: VisibilityRecord): boolean;
  /** returns a sorted copy; default order StartTime DESC */
  sort(records: readonly VisibilityRecord[]): VisibilityRecord[];
}


/** Options for {@link compileVisibilityQuery}. */
export interface CompileVisibilityQueryOptions {
  /**
   * Extra names for system fields, e.g. `{ ScheduleId: 'WorkflowId' }` when filtering schedules,
   * whose records carry the schedule id in `workflowId`.
   */
  fieldAliases?: Readonly<Record<string, SystemFieldName>>;
}

/** Search attributes the real server defines in every namespace; used when the caller does not know a name. */
export const PREDEFINED_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeType>> = {
  TemporalScheduledStartTime: 'Datetime',
  TemporalScheduledById: 'Keyword',
  TemporalSchedulePaused: 'Bool',
  TemporalChangeVersion: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  BuildIds: 'KeywordList',
  BatcherUser: 'Keyword',
  TemporalNamespaceDivision: 'Keyword',
};

const STATUS_NAMES: readonly ExecutionStatusName[] = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'];

/** Fields every execution has, not search attributes. */
export type SystemFieldName = 'WorkflowId' | 'RunId' | 'WorkflowType' | 'ExecutionStatus' | 'TaskQueue' | 'StartTime' | 'CloseTime' | 'ExecutionTime';

const SYSTEM_FIELDS: Readonly<Record<SystemFieldName, { type: SearchAttributeType; get: (r: VisibilityRecord) => Scalar | undefined }>> = {
  WorkflowId: { type: 'Keyword', get: (r) => r.workflowId },
  RunId: { type: 'Keyword', get: (r) => r.runId },
  WorkflowType: { type: 'Keyword', get: (r) => r.workflowType },
  ExecutionStatus: { type: 'Keyword', get: (r) => r.status },
  TaskQueue: { type: 'Keyword', get: (r) => r.taskQueue },
  StartTime: { type: 'Datetime', get: (r) => r.startTime },
  CloseTime: { type: 'Datetime', get: (r) => r.closeTime },
  ExecutionTime: { type: 'Datetime', get: (r) => r.executionTime ?? r.startTime },
};

// ---------------------------------------------------------------------------------------------
// Tokens

type Scalar = string | number | boolean;
type Predicate = (record: VisibilityRecord) => boolean;

interface Field {
  name: string;
  type: SearchAttributeType;
  get: (r: VisibilityRecord) => Scalar | string[] | undefined;
}

function datetimeMs(text: string): number | undefined {
  // RFC 3339 needs a date; Date.parse alone would also accept loose forms like "5".
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  // Without a zone, read the time as UTC rather than as the host's local time.
  const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Normalises a stored attribute value for comparison (datetimes become epoch ms). */
function storedValue(type: SearchAttributeType, value: SearchAttributeValue | undefined): Scalar | string[] | undefined {
  if (value === undefined) return undefined;
  if (type === 'Datetime') {
    if (typeof value === 'number') return value;
    return typeof value === 'string' ? datetimeMs(value) : undefined;
  }
  if (type === 'KeywordList') return Array.isArray(value) ? value : [String(value)];
  if (Array.isArray(value)) return value[0];
  return value;
}

function literalFor(field: Field, tok: Token): Scalar {
  const bad = (why: string): never => {
    throw new VisibilityQueryError(`invalid query: ${why} for ${field.type} field ${field.name}: ${describeToken(tok)}`);
  };
  const isKeyword = (v: string) => tok.kind === 'ident' && !tok.quoted && v.toUpperCase() === tok.text.toUpperCase();
  switch (field.type) {
    case 'Keyword':
    case 'Text':
    case 'KeywordList': {
      if (tok.kind !== 'string') bad('expected a quoted string');
      if (field.name === 'ExecutionStatus') {
        const status = STATUS_NAMES.find((s) => s.toLowerCase() === tok.text.toLowerCase());
        if (!status) bad(`unknown execution status (expected one of ${STATUS_NAMES.join(', ')})`);
        return status as string;
      }
      return tok.text;
    }
    case 'Int':
    case 'Double': {
      const text = tok.kind === 'number' || tok.kind === 'string' ? tok.text : '';
      const n = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) bad('expected a number');
      if (field.type === 'Int' && !Number.isInteger(n)) bad('expected an integer');
      return n;
    }
    case 'Bool': {
      if (isKeyword('true') || (tok.kind === 'string' && tok.text.toLowerCase() === 'true')) return true;
      if (isKeyword('false') || (tok.kind === 'string' && tok.text.toLowerCase() === 'false')) return false;
      return bad('expected true or false');
    }
    case 'Datetime': {
      if (tok.kind === 'number' && /^\d+$/.test(tok.text)) {
        // The real server accepts an integer as Unix nanoseconds.
        return Math.floor(Number(tok.text) / 1e6);
      }
      const ms = tok.kind === 'string' ? datetimeMs(tok.text) : undefined;
      if (ms === undefined) bad('expected an RFC 3339 timestamp');
      return ms as number;
    }
  }
}

function textTokens(s: string): string[] {
  return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Equality as the store means it: KeywordList contains, Text matches all words. */
function equalsValue(field: Field, stored: Scalar | string[], literal: Scalar): boolean {
  if (Array.isArray(stored)) return stored.includes(String(literal));
  if (field.type === 'Text') {
    const have = new Set(textTokens(String(stored)));
    const want = textTokens(String(literal));
    return want.length > 0 && want.every((w) => have.has(w));
  }
  return compareScalars(stored, literal) === 0;
}

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly resolveField: (tok: Token) => Field,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && !t.quoted && t.text.toUpperCase() === word;
  }

  private expectWord(word: string): void {
    if (!this.isWord(word)) throw this.unexpected(`expected ${word}`);
    this.next();
  }

  private expectPunct(p: string): void {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== p) throw this.unexpected(`expected '${p}'`);
    this.next();
  }

  unexpected(why?: string): VisibilityQueryError {
    const t = this.peek();
    return new VisibilityQueryError(`invalid query: unexpected ${describeToken(t)}${why ? ` (${why})` : ''}`);
  }

  atEnd(): boolean {
    return this.peek().kind === 'end';
  }

  parseQuery(): { where: Predicate; order: Array<{ field: Field; desc: boolean }> } {
    let where: Predicate = () => true;
    if (!this.atEnd() && !this.isWord('ORDER')) where = this.parseOr();
    const order: Array<{ field: Field; desc: boolean }> = [];
    if (this.isWord('ORDER')) {
      this.next();
      this.expectWord('BY');
      for (;;) {
        const tok = this.next();
        if (tok.kind !== 'ident' || (!tok.quoted && KEYWORDS.has(tok.text.toUpperCase()))) {
          this.i--;
          throw this.unexpected('expected a field name');
        }
        const field = this.resolveField(tok);
        if (field.type === 'Text' || field.type === 'KeywordList') {
          throw new VisibilityQueryError(`invalid query: cannot order by ${field.type} field ${field.name} at position ${tok.pos}`);
        }
        let desc = false;
        if (this.isWord('ASC')) this.next();
        else if (this.isWord('DESC')) {
          this.next();
          desc = true;
        }
        order.push({ field, desc });
        if (this.peek().kind === 'punct' && this.peek().text === ',') {
          this.next();
          continue;
        }
        break;
      }
    }
    if (!this.atEnd()) throw this.unexpected();
    return { where, order };
  }

  private parseOr(): Predicate {
    const parts = [this.parseAnd()];
    while (this.isWord('OR')) {
      this.next();
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (r) => parts.some((p) => p(r));
  }

  private parseAnd(): Predicate {
    const parts = [this.parseNot()];
    while (this.isWord('AND')) {
      this.next();
      parts.push(this.parseNot());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (r) => parts.every((p) => p(r));
  }

  private parseNot(): Predicate {
    if (this.isWord('NOT')) {
      this.next();
      const inner = this.parseNot();
      return (r) => !inner(r);
    }
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    return this.parseComparison();
  }

  private parseValue(field: Field): Scalar {
    const tok = this.peek();
    if (tok.kind === 'end' || tok.kind === 'op' || tok.kind === 'punct') throw this.unexpected('expected a value');
    this.next();
    return literalFor(field, tok);
  }

  private parseComparison(): Predicate {
    const tok = this.next();
    if (tok.kind !== 'ident' || (!tok.quoted && KEYWORDS.has(tok.text.toUpperCase()))) {
      this.i = Math.max(0, this.i - (tok.kind === 'end' ? 0 : 1));
      throw this.unexpected('expected a field name');
    }
    const field = this.resolveField(tok);
    const opTok = this.peek();
    const get = (r: VisibilityRecord) => field.get(r);

    if (opTok.kind === 'op') {
      this.next();
      const literal = this.parseValue(field);
      const op = opTok.text;
      if (op !== '=' && op !== '!=' && (field.type === 'KeywordList' || field.type === 'Text' || field.type === 'Bool')) {
        throw new VisibilityQueryError(`invalid query: operator '${op}' at position ${opTok.pos} is not supported for ${field.type} field ${field.name}`);
      }
      switch (op) {
        case '=':
          return (r) => {
            const v = get(r);
            return v !== undefined && equalsValue(field, v, literal);
          };
        case '!=':
          return (r) => {
            const v = get(r);
            return v === undefined || !equalsValue(field, v, literal);
          };
        default: {
          const test = (c: number) => (op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0);
          return (r) => {
            const v = get(r);
            return v !== undefined && !Array.isArray(v) && test(compareScalars(v, literal));
          };
        }
      }
    }

    let negate = false;
    if (this.isWord('NOT') && (this.isWord('IN', 1) || this.isWord('BETWEEN', 1) || this.isWord('STARTS_WITH', 1))) {
      this.next();
      negate = true;
    }
    const withNegation = (p: Predicate): Predicate => (negate ? (r) => !p(r) : p);

    if (this.isWord('IN')) {
      this.next();
      this.expectPunct('(');
      const values: Scalar[] = [this.parseValue(field)];
      while (this.peek().kind === 'punct' && this.peek().text === ',') {
        this.next();
        values.push(this.parseValue(field));
      }
      this.expectPunct(')');
      return withNegation((r) => {
        const v = get(r);
        return v !== undefined && values.some((lit) => equalsValue(field, v, lit));
      });
    }
    if (this.isWord('BETWEEN')) {
      if (field.type === 'KeywordList' || field.type === 'Text' || field.type === 'Bool') {
        throw new VisibilityQueryError(`invalid query: BETWEEN at position ${this.peek().pos} is not supported for ${field.type} field ${field.name}`);
      }
      this.next();
      const low = this.parseValue(field);
      this.expectWord('AND');
      const high = this.parseValue(field);
      return withNegation((r) => {
        const v = get(r);
        return v !== undefined && !Array.isArray(v) && compareScalars(v, low) >= 0 && compareScalars(v, high) <= 0;
      });
    }
    if (this.isWord('STARTS_WITH')) {
      if (field.type !== 'Keyword' && field.type !== 'KeywordList' && field.type !== 'Text') {
        throw new VisibilityQueryError(`invalid query: STARTS_WITH at position ${this.peek().pos} needs a string field, ${field.name} is ${field.type}`);
      }
      this.next();
      const prefix = String(this.parseValue(field));
      return withNegation((r) => {
        const v = get(r);
        if (v === undefined) return false;
        return Array.isArray(v) ? v.some((s) => s.startsWith(prefix)) : String(v).startsWith(prefix);
      });
    }
    if (this.isWord('IS')) {
      this.next();
      let isNot = false;
      if (this.isWord('NOT')) {
        this.next();
        isNot = true;
      }
      this.expectWord('NULL');
      return (r) => {
        const v = get(r);
        const missing = v === undefined || (Array.isArray(v) && v.length === 0);
        return isNot ? !missing : missing;
      };
    }
    throw this.unexpected(`expected an operator after ${field.name}`);
  }
}

/**
 * Compiles a visibility query. `attributeTypes` names the namespace's custom search attributes;
 * Temporal's predefined ones ({@link PREDEFINED_SEARCH_ATTRIBUTES}) are known without it.
 * Throws {@link VisibilityQueryError} naming the offending token and its position.
 */
export function compileVisibilityQuery(
  query: string,
  attributeTypes: (name: string) => SearchAttributeType | undefined,
  options: CompileVisibilityQueryOptions = {},
): CompiledVisibilityQuery {
  const resolveField = (tok: Token): Field => {
    const alias = options.fieldAliases?.[tok.text];
    const systemName = alias ?? (tok.text in SYSTEM_FIELDS ? (tok.text as SystemFieldName) : undefined);
    if (systemName) {
      const sys = SYSTEM_FIELDS[systemName];
      return { name: tok.text, type: sys.type, get: sys.get };
    }
    const type = attributeTypes(tok.text) ?? PREDEFINED_SEARCH_ATTRIBUTES[tok.text];
    if (!type) throw new VisibilityQueryError(`invalid query: unknown search attribute '${tok.text}' at position ${tok.pos}`);
    const name = tok.text;
    return { name, type, get: (r) => storedValue(type, r.searchAttributes[name]) };
  };
  const { where, order } = new Parser(tokenize(query), resolveField).parseQuery();
  const sortKeys = order.length > 0 ? order : [{ field: resolveField({ kind: 'ident', text: 'StartTime', pos: 0 }), desc: true }];

  const compare = (a: VisibilityRecord, b: VisibilityRecord): number => {
    for (const { field, desc } of sortKeys) {
      const va = field.get(a);
      const vb = field.get(b);
      // Records without the value sort last in either direction, as Elasticsearch does by default.
      if (va === undefined || vb === undefined) {
        if (va === vb) continue;
        return va === undefined ? 1 : -1;
      }
      const c = compareScalars(va as Scalar, vb as Scalar);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
  return {
    matches: (record) => where(record),
    sort: (records) => [...records].sort(compare),
  };
}
