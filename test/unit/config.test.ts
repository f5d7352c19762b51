import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('loadConfig', () => {
  it('defaults to the embedded sandbox when no address is configured', () => {
    const c = loadConfig({ env: {} });
    expect(c.temporal.address).toBeUndefined();
    expect(c.kafka.brokers).toBeUndefined();
    expect(c.temporal.namespace).toBe('default');
    expect(c.temporal.taskQueue).toBe('breachline');
    expect(c.slack.command).toBe('/ir');
  });

  it('reads addresses and credentials from the environment', () => {
    const c = loadConfig({
      env: {
        BREACHLINE_TEMPORAL_ADDRESS: 'temporal.internal:7233',
        BREACHLINE_KAFKA_BROKERS: 'k1:9092, k2:9092',
        BREACHLINE_KAFKA_USERNAME: 'breachline',
        BREACHLINE_KAFKA_PASSWORD: 's3cret',
        BREACHLINE_KAFKA_SSL: 'true',
        BREACHLINE_INGRESS_PORT: '9000',
        BREACHLINE_ROLES: '{"U123":"incident-commander"}',
      },
    });
    expect(c.temporal.address).toBe('temporal.internal:7233');
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.kafka.ssl).toBe(true);
    expect(c.ingress.port).toBe(9000);
    expect(c.roles).toEqual({ U123: 'incident-commander' });
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        env: {
          BREACHLINE_TEMPORAL_ADDRESS: 'no-port',
          BREACHLINE_INGRESS_PORT: 'eighty',
          BREACHLINE_VAULT_ADDRESS: 'http://vault:8200',
        },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('temporal.address');
    expect(problems).toContain('ingress.port');
  });

  it('rejects credentials that only make sense together', () => {
    expect(() => loadConfig({ env: { BREACHLINE_KAFKA_BROKERS: 'k1:9092' } })).toThrow(/without username and password/);
  });

  it('lets the environment override the config file', () => {
    const c = loadConfig({
      env: { BREACHLINE_CONFIG_FILE: 'breachline.yaml', BREACHLINE_TEMPORAL_NAMESPACE: 'prod' },
      readFile: () => 'temporal:\n  namespace: staging\n  taskQueue: ir\n',
    });
    expect(c.temporal.namespace).toBe('prod');
    expect(c.temporal.taskQueue).toBe('ir');
  });
});
