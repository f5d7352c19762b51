import { ALERT_SOURCES, type Alert, type AlertSource } from '../../domain/alert';
import type { RunbookVerdict } from '../../domain/runbook-routing';
import type { ChoiceReason, RunbookCatalog } from '../../ingress/runbooks';
import { normaliseForRouting } from '../../ingress/routing-fields';

/**
 * `breachline runbook test <alert.json>` (issue 17): which runbook an alert would start and why,
 * computed by the ingress's own normaliser and catalog.
 */

/** What `runbook test --json` prints. */
export interface RouteReport {
  alert: { source: AlertSource; rule: string; severity: Alert['severity']; title: string; principal?: string; asset?: string; scenario?: string; fields?: Record<string, string> };
  /** The runbook the alert would start, or absent when ingress would refuse it (`refusal`). */
  starts?: { id: string; version: number; scenario: string; principal: string; reason: ChoiceReason };
  refusal?: string;
  /** Every serving runbook's verdict, in the order routing tries them. */
  runbooks: RunbookVerdict[];
}

/**
 * The source a payload comes from, by its shape, when `--source` is not given: Splunk's `sid` and
 * `search_name`, a Kibana connector's `rule` object, a Sentinel incident's `properties` (or Logic
 * App `object`), else the generic format.
 */
export function guessSource(payload: unknown): AlertSource {
  if (payload === null || typeof payload !== 'object') return 'generic';
  const p = payload as Record<string, unknown>;
  if ('sid' in p && 'search_name' in p) return 'splunk';
  if (typeof p.rule === 'object' && p.rule !== null) return 'elastic';
  if (('properties' in p && typeof p.properties === 'object') || ('object' in p && typeof p.object === 'object')) return 'sentinel';
  return 'generic';
}

/** Narrows `--source`; throws a message naming the allowed values. */
export function sourceOption(value: string | undefined, payload: unknown): AlertSource {
  if (value === undefined) return guessSource(payload);
  const source = ALERT_SOURCES.find((s) => s === value);
  if (source === undefined) throw new Error(`--source: "${value}" is not one of ${ALERT_SOURCES.join(', ')}`);
  return source;
}

/** Routes one payload through the catalog as ingress would. Throws on a payload ingress would refuse (4xx). */
export function routeReport(catalog: RunbookCatalog, source: AlertSource, payload: unknown, now = new Date()): RouteReport {
  const alert = normaliseForRouting(source, payload, now, catalog.routedFields);
  const { principal, asset, scenario, fields } = alert;
  const report: RouteReport = {
    alert: { source, rule: alert.rule, severity: alert.severity, title: alert.title, ...(principal !== undefined ? { principal } : {}), ...(asset !== undefined ? { asset } : {}), ...(scenario !== undefined ? { scenario } : {}), ...(fields !== undefined ? { fields } : {}) },
    runbooks: catalog.explain(alert),
  };
  try {
    const choice = catalog.choose(alert);
    const { runbook } = choice.loaded;
    report.starts = { id: runbook.id, version: runbook.version, scenario: runbook.scenario, principal: choice.principal, reason: choice.reason ?? { kind: 'scenario', scenario: runbook.scenario } };
  } catch (error) {
    report.refusal = (error as Error).message;
  }
  return report;
}

function why(reason: ChoiceReason): string {
  switch (reason.kind) {
    case 'scenario':
      return `the alert names scenario "${reason.scenario}" (serves rules are not consulted)`;
    case 'rule':
      return `its serves rule ${reason.rule + 1} matched, and no runbook of higher priority matched`;
    case 'triage':
      return 'no runbook serves this alert: it opens a triage incident';
    case 'default':
      return `no runbook declares serves: the default scenario "${reason.scenario}"`;
  }
}

/** The report for people: the outcome first, then each runbook's rules and each condition. */
export function formatRouteReport(report: RouteReport): string {
  const a = report.alert;
  const lines = [`alert: ${a.source} rule ${JSON.stringify(a.rule)}, severity ${a.severity}, principal ${a.principal ?? '(none)'}, asset ${a.asset ?? '(none)'}`];
  if (report.starts !== undefined) {
    const s = report.starts;
    lines.push(`starts: ${s.id} v${s.version} (scenario ${s.scenario}), principal ${s.principal}`, `  why: ${why(s.reason)}`);
  } else {
    lines.push(`starts: nothing; ingress refuses the alert: ${report.refusal ?? 'unknown reason'}`);
  }
  if (report.runbooks.length === 0) lines.push('no runbook declares serves');
  for (const r of report.runbooks) {
    lines.push('', `${r.id} (priority ${r.priority ?? '-'}): ${r.matched ? 'MATCHES' : 'does not match'}`);
    for (const rule of r.rules) {
      lines.push(`  rule ${rule.index + 1}: ${rule.matched ? 'matched' : 'failed'}`);
      if (rule.conditions.length === 0) lines.push('    (no conditions: matches every alert)');
      for (const c of rule.conditions) {
        lines.push(`    ${c.passed ? 'ok  ' : 'FAIL'} ${c.on} ${c.expected}; alert has ${c.actual !== undefined ? JSON.stringify(c.actual) : 'nothing'}`);
      }
    }
  }
  return lines.join('\n');
}
