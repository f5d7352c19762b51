import { describe, expect, it } from 'vitest';
import type { PlaybookDeps } from '../../../activities/index';
import type { RunningServiceStandIn } from '../../../src/app/sandbox-door';
import { withStandIns } from '../../../src/app/stand-ins';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { parseSandboxNames, planServiceStandIns, planSystems, SERVICE_STAND_INS } from '../../../src/config/systems';
import { PRODUCTION_ENV } from '../../support/production-env';

// Issue 17 ("standins"): `--sandbox` names the generic actions' stand-ins beside the systems.

const full = PRODUCTION_ENV;

describe('parseSandboxNames', () => {
  it('splits systems from the actions\' stand-ins, each once, in canonical order', () => {
    expect(parseSandboxNames('jira, kafka,pagerduty,jira')).toEqual({ systems: ['kafka'], services: ['pagerduty', 'jira'] });
    expect(parseSandboxNames('vault,slack')).toEqual({ systems: ['vault', 'slack'], services: [] });
  });

  it('a flag naming only stand-ins names no system, so the systems\' plan is what it would be without the flag', () => {
    const request = parseSandboxNames('pagerduty,opsgenie,jira,webhook');
    expect(request).toEqual({ services: [...SERVICE_STAND_INS] });
    expect(planSystems(loadConfig({ env: full }), request.systems)).toEqual({ mode: 'configured', standIns: [] });
    expect(planSystems(loadConfig({ env: {} }), request.systems).mode).toBe('demo');
  });

  it('an unknown name is an error naming it and every valid name', () => {
    expect(() => parseSandboxNames('kafka,pagerdooty')).toThrow('unknown sandbox pagerdooty; expected some of temporal, kafka, vault, slack, pagerduty, opsgenie, jira, webhook');
    expect(() => parseSandboxNames(' , ')).toThrow(/name at least one sandbox: .*pagerduty, opsgenie, jira, webhook/);
  });
});

describe('planServiceStandIns', () => {
  it('a production start starts no stand-in unless named', () => {
    const config = loadConfig({ env: full });
    expect(planServiceStandIns(config, 'configured')).toEqual([]);
    expect(planServiceStandIns(config, 'mixed', [])).toEqual([]);
    expect(planServiceStandIns(config, 'configured', ['jira', 'pagerduty'])).toEqual(['pagerduty', 'jira']);
  });

  it('the demo starts all four; a configured address there is kept and its stand-in not started', () => {
    expect(planServiceStandIns(loadConfig({ env: {} }), 'demo')).toEqual(['pagerduty', 'opsgenie', 'jira', 'webhook']);
    const config = loadConfig({ env: { BREACHLINE_PAGERDUTY_URL: 'https://events.pagerduty.com' } });
    expect(planServiceStandIns(config, 'demo')).toEqual(['opsgenie', 'jira', 'webhook']);
  });

  it('naming a stand-in whose variable is set is an error naming both, every clash at once', () => {
    const config = loadConfig({ env: { ...full, BREACHLINE_PAGERDUTY_URL: 'https://events.pagerduty.com', BREACHLINE_JIRA_URL: 'https://acme.atlassian.net' } });
    let error: unknown;
    try {
      planServiceStandIns(config, 'configured', ['pagerduty', 'opsgenie', 'jira']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('pagerduty: named in --sandbox but BREACHLINE_PAGERDUTY_URL is configured');
    expect(message).toContain('jira: named in --sandbox but BREACHLINE_JIRA_URL is configured');
    expect(message).not.toContain('opsgenie');
    // The demo asks the same question when the flag names a stand-in.
    expect(() => planServiceStandIns(loadConfig({ env: { BREACHLINE_OPSGENIE_URL: 'https://api.opsgenie.com' } }), 'demo', ['opsgenie'])).toThrow(/BREACHLINE_OPSGENIE_URL/);
  });

  it('the webhook has no variable, so naming it never clashes', () => {
    expect(planServiceStandIns(loadConfig({ env: full }), 'configured', ['webhook'])).toEqual(['webhook']);
  });
});

describe('withStandIns: the worker deps start hands the actions', () => {
  const standIn = (name: RunningServiceStandIn['name'], port: number): RunningServiceStandIn => ({ name, address: `http://127.0.0.1:${port}`, connection: {}, close: () => Promise.resolve() });
  const deps = { actionEndpoints: { opsgenie: 'https://api.eu.opsgenie.com' } } as unknown as PlaybookDeps;

  it('each started stand-in is its action\'s endpoint; configured ones stay; the webhook is no endpoint', () => {
    const out = withStandIns(deps, [standIn('pagerduty', 1001), standIn('jira', 1002), standIn('webhook', 1003)]);
    expect(out.actionEndpoints).toEqual({ opsgenie: 'https://api.eu.opsgenie.com', pagerduty: 'http://127.0.0.1:1001', jira: 'http://127.0.0.1:1002' });
  });

  it('no stand-in leaves the deps as they were', () => {
    expect(withStandIns(deps, [])).toBe(deps);
  });
});
