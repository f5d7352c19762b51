/**
 * Scenarios breachline can seed on the sandbox and raise an alert for. The seeded scenario and the
 * runbook scenario have different names: the sandbox scenario is a concrete breach
 * (`trading-exfiltration`), the runbook answers a class of breaches (`kafka-exfiltration`).
 */
export const SCENARIOS = ['trading-exfiltration'] as const;
/** One of {@link SCENARIOS}. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** Checks a user-supplied scenario name. */
export function parseScenario(name: string): ScenarioName {
  if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}; expected one of ${SCENARIOS.join(', ')}`);
  return name as ScenarioName;
}

/**
 * The generic-JSON alert a SIEM would post for a scenario (docs/ingress.md, "Generic JSON").
 * `id` is unique per call so repeated alerts are distinct SIEM alerts of one incident.
 */
export function scenarioAlertPayload(scenario: ScenarioName, now: Date, id: string): Record<string, string> {
  switch (scenario) {
    case 'trading-exfiltration':
      return {
        id,
        rule: 'kafka-pii-bulk-read',
        title: 'report-exporter reads client orders far outside its baseline',
        severity: 'critical',
        principal: 'User:report-exporter',
        asset: 'orders',
        scenario: 'kafka-exfiltration',
        observedAt: now.toISOString(),
      };
  }
}
