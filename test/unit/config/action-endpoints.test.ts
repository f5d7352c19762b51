import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { actionEndpointsOf } from '../../../worker/deps';

/**
 * Where the generic actions' outside services live (issue 17): `BREACHLINE_PAGERDUTY_URL`,
 * `BREACHLINE_OPSGENIE_URL`, `BREACHLINE_JIRA_URL` reach `PlaybookDeps.actionEndpoints`; a bad
 * one is a config error that names the variable; none set keeps the actions' own defaults.
 */
describe('action endpoints in config', () => {
  it('reach the worker deps', () => {
    const config = loadConfig({ env: { BREACHLINE_PAGERDUTY_URL: 'http://127.0.0.1:9001', BREACHLINE_OPSGENIE_URL: 'http://127.0.0.1:9002', BREACHLINE_JIRA_URL: 'https://acme.atlassian.net' } });
    expect(actionEndpointsOf(config)).toEqual({ actionEndpoints: { pagerduty: 'http://127.0.0.1:9001', opsgenie: 'http://127.0.0.1:9002', jira: 'https://acme.atlassian.net' } });
    expect(actionEndpointsOf(loadConfig({ env: {} }))).toEqual({});
  });

  it('a bad address is an error naming the variable, listed with every other problem', () => {
    let err: unknown;
    try {
      loadConfig({ env: { BREACHLINE_JIRA_URL: 'acme.atlassian.net', BREACHLINE_PAGERDUTY_URL: 'ftp://events.example' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as Error).message;
    expect(text).toContain('actions.jiraUrl (BREACHLINE_JIRA_URL)');
    expect(text).toContain('actions.pagerdutyUrl (BREACHLINE_PAGERDUTY_URL)');
  });
});
