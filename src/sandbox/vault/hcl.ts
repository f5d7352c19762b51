/*
 * A practical subset of HCL, enough for Vault ACL policies: blocks with string labels
 * (`path "secret/*" { ... }`), attributes (`capabilities = ["read", "list"]`), strings, numbers,
 * booleans, lists and nested objects, and the three comment styles. Heredocs and expressions are
 * out of scope; meeting one is a parse error, never a crash.
 */

/** A parsed HCL value. */
export type HclValue = string | number | boolean | HclValue[] | HclBody;

/** One attribute (`key = value`) or block (`key "label" { ... }`). */
export interface HclItem {
  readonly key: string;
  readonly labels: readonly string[];
  readonly value: HclValue;
  readonly isBlock: boolean;
}

/** The items of a file or a block, in source order. */
export interface HclBody {
  readonly items: readonly HclItem[];
}

/** Thrown for text outside the supported subset, with the line where reading stopped. */
export class HclSyntaxError extends Error {}

type Tok = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      line += 1;
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === ';') {
      i += 1;
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i += 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new HclSyntaxError(`unterminated comment at line ${line}`);
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let text = '';
      i += 1;
      for (;;) {
        const d = src[i];
        if (d === undefined || d === '\n') throw new HclSyntaxError(`unterminated string at line ${line}`);
        i += 1;
        if (d === '"') break;
        if (d === '\\') {
          const e = src[i];
          i += 1;
          if (e === 'n') text += '\n';
          else if (e === 't') text += '\t';
          else if (e === '"' || e === '\\' || e === '/') text += e;
          else throw new HclSyntaxError(`unsupported escape at line ${line}`);
        } else {
          text += d;
        }
      }
      toks.push({ kind: 'string', text, line });
    } else if ('{}[]=,:'.includes(c)) {
      toks.push({ kind: 'punct', text: c, line });
      i += 1;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new HclSyntaxError(`unexpected "${c}" at line ${line}`);
      toks.push({ kind: 'number', text: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i));
      const text = m ? m[0] : c;
      toks.push({ kind: 'ident', text, line });
      i += text.length;
    } else {
      throw new HclSyntaxError(`unexpected "${c}" at line ${line}`);
    }
  }
  return toks;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  private next(): Tok {
    const t = this.toks[this.pos];
    if (!t) throw new HclSyntaxError('unexpected end of input');
    this.pos += 1;
    return t;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw new HclSyntaxError(`expected "${text}" at line ${t.line}, found "${t.text}"`);
  }

  body(closing: boolean): HclBody {
    const items: HclItem[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (closing) throw new HclSyntaxError('missing "}" at end of input');
        return { items };
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (!closing) throw new HclSyntaxError(`unexpected "}" at line ${t.line}`);
        this.pos += 1;
        return { items };
      }
      if (t.kind === 'punct' && t.text === ',') {
        this.pos += 1;
        continue;
      }
      items.push(this.item());
    }
  }

  private item(): HclItem {
    const keyTok = this.next();
    if (keyTok.kind !== 'ident' && keyTok.kind !== 'string') throw new HclSyntaxError(`expected a key at line ${keyTok.line}, found "${keyTok.text}"`);
    const labels: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'string') {
        labels.push(t.text);
        this.pos += 1;
        continue;
      }
      break;
    }
    const t = this.next();
    if (t.kind === 'punct' && (t.text === '=' || t.text === ':') && labels.length === 0) {
      return { key: keyTok.text, labels, value: this.value(), isBlock: false };
    }
    if (t.kind === 'punct' && t.text === '{') {
      return { key: keyTok.text, labels, value: this.body(true), isBlock: true };
    }
    throw new HclSyntaxError(`expected "=" or "{" at line ${t.line}, found "${t.text}"`);
  }

  private value(): HclValue {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    if (t.kind === 'punct' && t.text === '{') return this.body(true);
    if (t.kind === 'punct' && t.text === '[') {
      const list: HclValue[] = [];
      for (;;) {
        const n = this.peek();
        if (!n) throw new HclSyntaxError('unterminated list');
        if (n.kind === 'punct' && n.text === ']') {
          this.pos += 1;
          return list;
        }
        if (n.kind === 'punct' && n.text === ',') {
          this.pos += 1;
          continue;
        }
        list.push(this.value());
      }
    }
    throw new HclSyntaxError(`unexpected "${t.text}" at line ${t.line}`);
  }
}

/** Parses HCL text into items; throws {@link HclSyntaxError} for anything outside the subset. */
export function parseHcl(src: string): HclBody {
  return new Parser(tokenize(src)).body(false);
}
