import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbookDir } from '../../../src/domain/runbook-loader';
import { DEFAULT_DRILL_SCENARIO, DRILL_SCENARIOS, drillScenario, parseScenario, SCENARIOS, scenarioAlertPayload } from '../../../src/drill/scenario-registry';
import { normaliseForRouting } from '../../../src/ingress/routing-fields';
import { RunbookCatalog } from '../../../src/ingress/runbooks';

/* The drill scenario registry is what drills, `breachline alert`, schedules and the console accept. */

const ROOT = join(__dirname, '..', '..', '..');
const NOW = new Date('2026-12-01T09:00:00.000Z');

describe('drill scenario registry', () => {
  it('lists each scenario once, trading-exfiltration first as the default', () => {
    expect(SCENARIOS).toEqual(DRILL_SCENARIOS.map((s) => s.name));
    expect(new Set(SCENARIOS).size).toBe(SCENARIOS.length);
    expect(SCENARIOS).toContain('trading-exfiltration');
    expect(DEFAULT_DRILL_SCENARIO).toBe('trading-exfiltration');
    expect(parseScenario('trading-exfiltration')).toBe('trading-exfiltration');
  });

  it('refuses an unknown scenario naming the known ones', () => {
    expect(() => parseScenario('kafka-exfiltration')).toThrow(/unknown scenario kafka-exfiltration; expected one of .*trading-exfiltration/);
    expect(() => drillScenario('')).toThrow(/unknown scenario/);
  });

  it('keeps the trading alert as release 0.2.0 sent it', () => {
    expect(scenarioAlertPayload('trading-exfiltration', NOW, 'a1')).toEqual({
      id: 'a1',
      rule: 'kafka-pii-bulk-read',
      title: 'report-exporter reads client orders far outside its baseline',
      severity: 'critical',
      principal: 'User:report-exporter',
      asset: 'orders',
      scenario: 'kafka-exfiltration',
      observedAt: NOW.toISOString(),
    });
  });

  it("routes every scenario's alert to its runbook by the serves rules alone, without a scenario field", async () => {
    const catalog = new RunbookCatalog(await loadRunbookDir(join(ROOT, 'runbooks')));
    for (const scenario of DRILL_SCENARIOS) {
      const payload = scenario.alertPayload(NOW, `test-${scenario.name}`);
      // Only trading keeps the field, for 0.2.0 compatibility; routing must not need it.
      if (scenario.name !== 'trading-exfiltration') expect(payload, scenario.name).not.toHaveProperty('scenario');
      const { scenario: _named, ...unnamed } = payload;
      void _named;
      // As ingress reads it: with the fields the serves rules name (vault-token-leak routes on `accessor`).
      const choice = catalog.choose(normaliseForRouting('generic', unnamed, NOW, catalog.routedFields));
      expect(choice.loaded.runbook.id, scenario.name).toBe(scenario.runbookId);
      expect(scenario.alertInject.trim(), scenario.name).not.toBe('');
    }
  });
});
