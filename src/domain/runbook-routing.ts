import { ALERT_SOURCES, type Alert, type AlertSource } from './alert';
import type { JsonSchema } from './runbook-actions';

/**
 * Routing as data (issue 17, item 1): a runbook's `serves` block says which alerts it takes, and
 * ingress picks the highest-priority runbook with a matching rule. Pure: the same code answers the
 * ingress, the correlator, `breachline runbook test` and `runbook lint`, so the three cannot
 * disagree about an alert.
 */

/** Alert severities from least to most severe; `atLeast` compares by this order. */
export const SEVERITY_ORDER = ['low', 'medium', 'high', 'critical'] as const;
/** One of {@link SEVERITY_ORDER}. */
export type Severity = (typeof SEVERITY_ORDER)[number];

/** How a text is matched: exactly one of the three keys. */
export type TextMatcher = { equals: string } | { in: string[] } | { matches: string };

/** One rule of `serves.when`: every condition given must hold (an absent condition holds). */
export interface RouteRule {
  /** Alert sources, any of. */
  source?: AlertSource[];
  /** The detection rule's name (Splunk saved search, Kibana rule, Sentinel analytic rule id, generic `rule`). */
  rule?: TextMatcher;
  severity?: { atLeast: Severity } | { in: Severity[] };
  /**
   * Alert fields by name: the normalised `principal`, `asset`, `title`, `alertId`, or a dotted
   * path into the source's alert document (Splunk's result row, the first Kibana alert, the
   * Sentinel incident's properties, the generic body), e.g. `kafka.topic`.
   */
  fields?: Record<string, TextMatcher>;
}

/** A runbook's `serves` block. */
export interface RunbookServes {
  /** Higher wins; between equal priorities the runbook id decides (and lint reports the tie). */
  priority: number;
  /** Any of these rules. */
  when: RouteRule[];
}

/** Fields every alert offers to rules, taken from the normalised alert itself. */
export const ALERT_ROUTING_FIELDS = ['principal', 'asset', 'title', 'alertId'] as const;

/** What rules are matched against: the normalised alert and the fields extracted for routing. */
export type RoutableAlert = Pick<Alert, 'source' | 'rule' | 'severity' | 'title' | 'alertId' | 'principal' | 'asset' | 'fields'>;

const textMatcherSchema: JsonSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  description: 'Exactly one of equals, in, matches. `matches` is a JavaScript regular expression (unicode mode); a leading (?i) makes it case-insensitive.',
  properties: {
    equals: { type: 'string' },
    in: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
    matches: { type: 'string', minLength: 1 },
  },
};

/** The `serves` property of the runbook schema. */
export function servesSchema(): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['priority', 'when'],
    description: 'The alerts this runbook serves: ingress starts the highest-priority runbook with a matching rule; an alert no runbook serves opens a triage incident.',
    properties: {
      priority: { type: 'integer', minimum: 0, maximum: 1000000, description: 'Higher wins; ties are broken by id and reported by `breachline runbook lint`.' },
      when: {
        type: 'array',
        minItems: 1,
        description: 'Any of these rules; within a rule every condition must hold.',
        items: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            source: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ALERT_SOURCES] } },
            rule: { $ref: '#/$defs/textMatcher' },
            severity: {
              type: 'object',
              minProperties: 1,
              maxProperties: 1,
              additionalProperties: false,
              properties: {
                atLeast: { enum: [...SEVERITY_ORDER] },
                in: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SEVERITY_ORDER] } },
              },
            },
            fields: {
              type: 'object',
              minProperties: 1,
              propertyNames: { minLength: 1, maxLength: 128 },
              additionalProperties: { $ref: '#/$defs/textMatcher' },
            },
          },
        },
      },
    },
  };
}

/** The `$defs` entry the serves schema refers to. */
export const TEXT_MATCHER_SCHEMA = textMatcherSchema;

/** Compiles a `matches` pattern: a leading `(?i)` (the SIEMs' own spelling) becomes the `i` flag. */
export function compilePattern(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'iu' : 'u');
}

/** Why a pattern does not compile, or undefined when it does. */
export function patternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (error) {
    return `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

/** The outcome of one condition of a rule. */
export interface ConditionOutcome {
  /** `source`, `rule`, `severity` or `fields.<name>`. */
  on: string;
  passed: boolean;
  /** What the rule asked for, e.g. `matches /(?i)kafka/`. */
  expected: string;
  /** What the alert had; absent when it had nothing there. */
  actual?: string;
}

/** One rule's verdict, with every condition's outcome. */
export interface RuleOutcome {
  index: number;
  matched: boolean;
  conditions: ConditionOutcome[];
}

const patterns = new Map<string, RegExp>();

function regex(pattern: string): RegExp {
  let compiled = patterns.get(pattern);
  if (compiled === undefined) {
    compiled = compilePattern(pattern);
    patterns.set(pattern, compiled);
  }
  return compiled;
}

/** `equals "x"`, `in [a, b]`, `matches /p/`. */
export function describeMatcher(m: TextMatcher): string {
  if ('equals' in m) return `equals ${JSON.stringify(m.equals)}`;
  if ('in' in m) return `in [${m.in.map((v) => JSON.stringify(v)).join(', ')}]`;
  return `matches /${m.matches}/`;
}

function textMatches(m: TextMatcher, value: string | undefined): boolean {
  if (value === undefined) return false;
  if ('equals' in m) return value === m.equals;
  if ('in' in m) return m.in.includes(value);
  return regex(m.matches).test(value);
}

/** The value a rule's `fields.<name>` reads from the alert. */
export function fieldValue(alert: RoutableAlert, name: string): string | undefined {
  if ((ALERT_ROUTING_FIELDS as readonly string[]).includes(name)) return alert[name as (typeof ALERT_ROUTING_FIELDS)[number]];
  return alert.fields?.[name];
}

/** Evaluates one rule against an alert, keeping every condition's outcome (for `runbook test`). */
export function evaluateRule(rule: RouteRule, alert: RoutableAlert, index = 0): RuleOutcome {
  const conditions: ConditionOutcome[] = [];
  if (rule.source !== undefined) {
    conditions.push({ on: 'source', passed: rule.source.includes(alert.source), expected: `in [${rule.source.join(', ')}]`, actual: alert.source });
  }
  if (rule.rule !== undefined) {
    conditions.push({ on: 'rule', passed: textMatches(rule.rule, alert.rule), expected: describeMatcher(rule.rule), actual: alert.rule });
  }
  if (rule.severity !== undefined) {
    const s = rule.severity;
    const passed = 'atLeast' in s ? SEVERITY_ORDER.indexOf(alert.severity) >= SEVERITY_ORDER.indexOf(s.atLeast) : s.in.includes(alert.severity);
    conditions.push({ on: 'severity', passed, expected: 'atLeast' in s ? `at least ${s.atLeast}` : `in [${s.in.join(', ')}]`, actual: alert.severity });
  }
  for (const [name, m] of Object.entries(rule.fields ?? {})) {
    const value = fieldValue(alert, name);
    conditions.push({ on: `fields.${name}`, passed: textMatches(m, value), expected: describeMatcher(m), ...(value !== undefined ? { actual: value } : {}) });
  }
  return { index, matched: conditions.every((c) => c.passed), conditions };
}

/** A runbook as routing sees it. */
export interface RoutedRunbook {
  id: string;
  version: number;
  scenario: string;
  serves?: RunbookServes;
}

/** One runbook's verdict on an alert. */
export interface RunbookVerdict {
  id: string;
  scenario: string;
  /** Absent for a runbook without `serves` (it is started only by scenario). */
  priority?: number;
  matched: boolean;
  rules: RuleOutcome[];
}

/** Highest priority first, then by id: the order routing tries runbooks in. */
export function routingOrder<R extends RoutedRunbook>(runbooks: readonly R[]): R[] {
  return runbooks.filter((r) => r.serves !== undefined).sort((a, b) => (b.serves?.priority ?? 0) - (a.serves?.priority ?? 0) || a.id.localeCompare(b.id));
}

/** Every serving runbook's verdict, in routing order; the first matched one is the route. */
export function explainRoute(runbooks: readonly RoutedRunbook[], alert: RoutableAlert): RunbookVerdict[] {
  return routingOrder(runbooks).map((r) => {
    const rules = (r.serves?.when ?? []).map((rule, i) => evaluateRule(rule, alert, i));
    return { id: r.id, scenario: r.scenario, priority: r.serves?.priority, matched: rules.some((o) => o.matched), rules };
  });
}

/** The runbook the rules route the alert to, or undefined when none serves it. */
export function route<R extends RoutedRunbook>(runbooks: readonly R[], alert: RoutableAlert): R | undefined {
  return routingOrder(runbooks).find((r) => (r.serves?.when ?? []).some((rule) => evaluateRule(rule, alert).matched));
}

/** Field names any rule reads beyond the normalised alert's own: what ingress must extract. */
export function routedFieldNames(runbooks: readonly RoutedRunbook[]): string[] {
  const names = new Set<string>();
  for (const r of runbooks) {
    for (const rule of r.serves?.when ?? []) {
      for (const name of Object.keys(rule.fields ?? {})) if (!(ALERT_ROUTING_FIELDS as readonly string[]).includes(name)) names.add(name);
    }
  }
  return [...names].sort();
}
