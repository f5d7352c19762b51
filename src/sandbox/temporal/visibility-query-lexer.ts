/**
 * The lexer of the sandbox's visibility queries (see visibility-query.ts): the query text as
 * identifiers, quoted strings and field names, numbers, operators and punctuation, with the
 * position of each for the error messages the real server gives.
 */

/** A malformed query; the server answers INVALID_ARGUMENT with this message. */
export class VisibilityQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VisibilityQueryError';
  }
}

/** What a token is. */
export type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'punct' | 'end';
/** One token of a query. */
export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the query string. */
  pos: number;
  /** For identifiers: written in backquotes, so never a keyword. */
  quoted?: boolean;
  /** The token as written, quotes included, for error messages. */
  raw?: string;
}

/** Words that are operators or keywords unless written in backquotes. */
export const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'STARTS_WITH', 'IS', 'NULL', 'ORDER', 'BY', 'ASC', 'DESC', 'TRUE', 'FALSE']);

/** A token as error messages name it. */
export function describeToken(t: Token): string {
  return t.kind === 'end' ? 'end of query' : `${t.raw ?? `'${t.text}'`} at position ${t.pos}`;
}

/** Splits a query into tokens; a character no token can start with is an error naming its position. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw new VisibilityQueryError(`invalid query: unterminated ${c === '`' ? 'field name' : 'string'} starting at position ${start}`);
        const d = query[i] as string;
        if (d === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
          continue;
        }
        if (d === c) {
          // SQL style: a doubled quote stands for one quote character.
          if (query[i + 1] === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += d;
        i++;
      }
      const raw = query.slice(start, i);
      tokens.push(c === '`' ? { kind: 'ident', text, pos: start, quoted: true, raw } : { kind: 'string', text, pos: start, raw });
      continue;
    }
    const two = query.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '>=' || two === '<=') {
      tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, pos: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, pos: start });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    const num = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(query.slice(i));
    if (num && (c !== '-' && c !== '+' ? true : /\d|\./.test(query[i + 1] ?? ''))) {
      tokens.push({ kind: 'number', text: num[0], pos: start });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: start });
      i += ident[0].length;
      continue;
    }
    throw new VisibilityQueryError(`invalid query: unexpected character '${c}' at position ${start}`);
  }
  tokens.push({ kind: 'end', text: '', pos: query.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Typed values and comparison
