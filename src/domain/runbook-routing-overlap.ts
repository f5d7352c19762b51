import { compilePattern, SEVERITY_ORDER, type RoutedRunbook, type RouteRule, type Severity, type TextMatcher } from './runbook-routing';

/**
 * Ties in routing, for `breachline runbook lint`: two runbooks of the same priority with rules
 * that can match the same alert. Routing still decides (by id), but the author meant one of them
 * and should say which with a priority. "Can match" is decided conservatively: two rules are
 * apart only when some condition provably excludes the other (disjoint sources, severities or
 * value lists, or a list none of whose values the other's pattern matches); two patterns on the
 * same field are assumed to meet.
 */

/** Two runbooks that tie on an alert both can serve. */
export interface RoutingTie {
  priority: number;
  first: { id: string; rule: number };
  second: { id: string; rule: number };
}

/** Every tie between runbooks of equal priority (each pair once, on the first pair of rules found). */
export function routingTies(runbooks: readonly RoutedRunbook[]): RoutingTie[] {
  const ties: RoutingTie[] = [];
  const serving = runbooks.filter((r) => r.serves !== undefined).sort((a, b) => a.id.localeCompare(b.id));
  for (let i = 0; i < serving.length; i++) {
    for (let j = i + 1; j < serving.length; j++) {
      const a = serving[i] as RoutedRunbook;
      const b = serving[j] as RoutedRunbook;
      if (a.id === b.id || a.serves?.priority !== b.serves?.priority) continue;
      const pair = firstOverlap(a.serves?.when ?? [], b.serves?.when ?? []);
      if (pair !== undefined) ties.push({ priority: a.serves?.priority ?? 0, first: { id: a.id, rule: pair[0] }, second: { id: b.id, rule: pair[1] } });
    }
  }
  return ties;
}

function firstOverlap(a: readonly RouteRule[], b: readonly RouteRule[]): [number, number] | undefined {
  for (const [i, ra] of a.entries()) for (const [j, rb] of b.entries()) if (mayOverlap(ra, rb)) return [i, j];
  return undefined;
}

/** False only when no alert can satisfy both rules. */
export function mayOverlap(a: RouteRule, b: RouteRule): boolean {
  if (a.source !== undefined && b.source !== undefined && !a.source.some((s) => b.source?.includes(s))) return false;
  if (a.severity !== undefined && b.severity !== undefined) {
    const sb = severities(b.severity);
    if (!severities(a.severity).some((s) => sb.includes(s))) return false;
  }
  if (a.rule !== undefined && b.rule !== undefined && textsApart(a.rule, b.rule)) return false;
  for (const [name, ma] of Object.entries(a.fields ?? {})) {
    const mb = b.fields?.[name];
    if (mb !== undefined && textsApart(ma, mb)) return false;
  }
  return true;
}

function severities(s: NonNullable<RouteRule['severity']>): Severity[] {
  return 'atLeast' in s ? SEVERITY_ORDER.slice(SEVERITY_ORDER.indexOf(s.atLeast)) : s.in;
}

function values(m: TextMatcher): string[] | undefined {
  if ('equals' in m) return [m.equals];
  if ('in' in m) return m.in;
  return undefined;
}

function textsApart(a: TextMatcher, b: TextMatcher): boolean {
  const va = values(a);
  const vb = values(b);
  if (va !== undefined && vb !== undefined) return !va.some((v) => vb.includes(v));
  const [list, other] = va !== undefined ? [va, b] : vb !== undefined ? [vb, a] : [undefined, undefined];
  if (list === undefined || other === undefined || !('matches' in other)) return false;
  let pattern: RegExp;
  try {
    pattern = compilePattern(other.matches);
  } catch {
    return false;
  }
  return !list.some((v) => pattern.test(v));
}
