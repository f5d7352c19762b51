import type { AclPolicy, Capability } from './policy';

/*
 * Vault's ACL evaluation: rules for the same pattern across a token's policies are merged (union,
 * and `deny` wipes everything else), then one rule decides a request path — an exact pattern if
 * one exists, otherwise the highest-priority wildcard pattern by Vault's documented ordering.
 */

interface CompiledRule {
  readonly pattern: string;
  readonly caps: ReadonlySet<Capability>;
  readonly regex: RegExp;
  readonly firstWildcard: number;
  readonly glob: boolean;
  readonly plusCount: number;
  readonly exact: boolean;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(pattern: string, caps: ReadonlySet<Capability>): CompiledRule {
  const glob = pattern.endsWith('*');
  const stem = glob ? pattern.slice(0, -1) : pattern;
  const segments = stem.split('/');
  const plusCount = segments.filter((s) => s === '+').length;
  const source = segments.map((s) => (s === '+' ? '[^/]*' : escapeRegex(s))).join('/');
  const plusAt = segments.findIndex((s) => s === '+');
  const plusOffset = plusAt < 0 ? Infinity : segments.slice(0, plusAt).join('/').length + (plusAt > 0 ? 1 : 0);
  const firstWildcard = Math.min(plusOffset, glob ? stem.length : Infinity);
  return { pattern, caps, regex: new RegExp(`^${source}${glob ? '' : '$'}`), firstWildcard, glob, plusCount, exact: !glob && plusCount === 0 };
}

// Returns true when `a` outranks `b` (Vault "priority matching" rules, in order).
function outranks(a: CompiledRule, b: CompiledRule): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard;
  if (a.glob !== b.glob) return !a.glob;
  if (a.plusCount !== b.plusCount) return a.plusCount < b.plusCount;
  if (a.pattern.length !== b.pattern.length) return a.pattern.length > b.pattern.length;
  return a.pattern > b.pattern;
}

/** The merged ACL of a token's policies. */
export class Acl {
  private readonly rules: CompiledRule[];
  /** True when the token holds the `root` policy, which grants everything. */
  readonly root: boolean;

  constructor(policies: readonly AclPolicy[], root: boolean) {
    this.root = root;
    const merged = new Map<string, Set<Capability>>();
    for (const p of policies) {
      for (const r of p.rules) {
        const set = merged.get(r.pattern) ?? new Set<Capability>();
        for (const c of r.capabilities) set.add(c);
        merged.set(r.pattern, set);
      }
    }
    this.rules = [...merged].map(([pattern, caps]) => compile(pattern, caps.has('deny') ? new Set<Capability>(['deny']) : caps));
  }

  /** Capabilities granted on `path`: `['root']` for root, `['deny']` when nothing matches. */
  capabilities(path: string): string[] {
    if (this.root) return ['root'];
    const rule = this.ruleFor(path);
    if (!rule || rule.caps.has('deny') || rule.caps.size === 0) return ['deny'];
    return [...rule.caps].sort();
  }

  /** Whether `capability` is granted on `path` (and `sudo` too when the path is root-protected). */
  allows(path: string, capability: Capability, needsSudo: boolean): boolean {
    if (this.root) return true;
    const rule = this.ruleFor(path);
    if (!rule || rule.caps.has('deny')) return false;
    const granted = rule.caps.has(capability) || (capability === 'patch' && rule.caps.has('update'));
    return granted && (!needsSudo || rule.caps.has('sudo'));
  }

  private ruleFor(path: string): CompiledRule | undefined {
    let best: CompiledRule | undefined;
    for (const r of this.rules) {
      if (!r.regex.test(path)) continue;
      if (r.exact) return r;
      if (!best || outranks(r, best)) best = r;
    }
    return best;
  }
}
