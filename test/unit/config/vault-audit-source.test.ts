import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { vaultAuditOf } from '../../../worker/deps';

/**
 * Where `vault.trace-token` reads the Vault audit log: `BREACHLINE_VAULT_AUDIT_FILE` or
 * `BREACHLINE_VAULT_AUDIT_TOPIC`, with the device of `BREACHLINE_VAULT_AUDIT_DEVICE`. They are
 * alternatives: both set is an error naming both; neither leaves the trace unconfigured.
 */
describe('Vault audit source in config', () => {
  it('the file or the topic reaches the worker deps with its device', () => {
    expect(vaultAuditOf(loadConfig({ env: { BREACHLINE_VAULT_AUDIT_FILE: 'audit.log' } }))).toEqual({ vaultAudit: { device: 'file', file: 'audit.log' } });
    expect(vaultAuditOf(loadConfig({ env: { BREACHLINE_VAULT_AUDIT_TOPIC: 'vault.audit', BREACHLINE_VAULT_AUDIT_DEVICE: 'socket' } }))).toEqual({ vaultAudit: { device: 'socket', topic: 'vault.audit' } });
    expect(vaultAuditOf(loadConfig({ env: {} }))).toEqual({});
  });

  it('both set is a configuration error naming both variables', () => {
    let err: unknown;
    try {
      loadConfig({ env: { BREACHLINE_VAULT_AUDIT_FILE: 'audit.log', BREACHLINE_VAULT_AUDIT_TOPIC: 'vault.audit' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('BREACHLINE_VAULT_AUDIT_FILE');
    expect(problems[0]).toContain('BREACHLINE_VAULT_AUDIT_TOPIC');
  });

  it('the same conflict from a config file is refused too', () => {
    const yaml = 'vault:\n  auditFile: audit.log\n  auditTopic: vault.audit\n';
    expect(() => loadConfig({ env: { BREACHLINE_CONFIG_FILE: 'c.yaml' }, readFile: () => yaml })).toThrow(/vault\.auditFile.*vault\.auditTopic/);
  });
});
