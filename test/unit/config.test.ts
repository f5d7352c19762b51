import { describe, expect, it } from 'vitest';
import { ConfigError, ingressDurable, loadConfig } from '../../src/config/config';
import { MissingSystemsError, parseSystemNames, planSystems } from '../../src/config/systems';
import { workerVersioning } from '../../src/config/worker-versioning';
import { PRODUCTION_ENV } from '../support/production-env';

describe('loadConfig', () => {
  it('leaves every address unset when none is configured (the demo decides on sandboxes, not the config)', () => {
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

describe('planSystems: no silent sandbox', () => {
  const full = PRODUCTION_ENV;
  const without = (...keys: string[]): Record<string, string> => Object.fromEntries(Object.entries(full).filter(([k]) => !keys.some((p) => k.startsWith(p))));

  it('no address at all is the sandbox demo: every system stands in', () => {
    expect(planSystems(loadConfig({ env: {} }))).toEqual({ mode: 'demo', standIns: ['temporal', 'kafka', 'vault', 'slack'] });
  });

  it('every address configured starts no sandbox', () => {
    expect(planSystems(loadConfig({ env: full }))).toEqual({ mode: 'configured', standIns: [] });
  });

  it('one address configured means every system must be: start fails listing each missing one', () => {
    const config = loadConfig({ env: { BREACHLINE_KAFKA_BROKERS: 'kafka:9092', BREACHLINE_KAFKA_USERNAME: 'u', BREACHLINE_KAFKA_PASSWORD: 'p' } });
    let error: unknown;
    try {
      planSystems(config);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingSystemsError);
    expect((error as MissingSystemsError).missing).toEqual(['temporal', 'vault', 'slack']);
    const message = (error as Error).message;
    for (const name of ['BREACHLINE_TEMPORAL_ADDRESS', 'BREACHLINE_VAULT_ADDRESS', 'BREACHLINE_SLACK_API_URL']) expect(message).toContain(name);
    expect(message).not.toContain('BREACHLINE_KAFKA_BROKERS');
    expect(message).toContain('--sandbox temporal,vault,slack');
  });

  it('--sandbox names the stand-ins explicitly', () => {
    expect(planSystems(loadConfig({ env: without('BREACHLINE_KAFKA', 'BREACHLINE_VAULT') }), ['kafka', 'vault'])).toEqual({ mode: 'mixed', standIns: ['kafka', 'vault'] });
  });

  it('--sandbox that leaves a system neither configured nor named still fails', () => {
    expect(() => planSystems(loadConfig({ env: without('BREACHLINE_KAFKA', 'BREACHLINE_VAULT') }), ['kafka'])).toThrow(/BREACHLINE_VAULT_ADDRESS/);
  });

  it('--sandbox naming a configured system is refused rather than guessed', () => {
    expect(() => planSystems(loadConfig({ env: full }), ['kafka'])).toThrow(/kafka: named in --sandbox but BREACHLINE_KAFKA_BROKERS is configured/);
  });

  it('--sandbox with nothing configured stands in only for the named ones, and the rest are missing', () => {
    expect(() => planSystems(loadConfig({ env: {} }), ['kafka'])).toThrow(MissingSystemsError);
  });

  it('parseSystemNames rejects unknown names', () => {
    expect(parseSystemNames('kafka, vault')).toEqual(['kafka', 'vault']);
    expect(() => parseSystemNames('kafka,postgres')).toThrow(/unknown system postgres/);
  });
});

describe('worker versioning', () => {
  it('pins incidents to the build they started on when a deployment is configured, and is off otherwise', () => {
    expect(workerVersioning(loadConfig({ env: {} }))).toEqual({});
    const c = loadConfig({ env: { BREACHLINE_WORKER_DEPLOYMENT: 'breachline', BREACHLINE_WORKER_BUILD_ID: '0.2.0+abc123' } });
    expect(workerVersioning(c)).toEqual({
      workerDeploymentOptions: { version: { deploymentName: 'breachline', buildId: '0.2.0+abc123' }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' },
    });
  });

  it('refuses a deployment without a build id, naming both variables', () => {
    expect(() => loadConfig({ env: { BREACHLINE_WORKER_DEPLOYMENT: 'breachline' } })).toThrow(/BREACHLINE_WORKER_DEPLOYMENT and BREACHLINE_WORKER_BUILD_ID go together/);
  });
});

// Alert storms (issue 15, item 3).
describe('ingress storm settings', () => {
  it('coalescing on and durable mode unset by default; the environment turns durable mode and workers on', () => {
    const d = loadConfig({ env: {} }).ingress;
    expect(d.durable).toBeUndefined();
    expect(d).toMatchObject({ alertsTopic: 'breachline.alerts', workers: 1, coalesce: { enabled: true, batchIntervalMs: 10, maxBatch: 200 } });
    const c = loadConfig({ env: { BREACHLINE_INGRESS_DURABLE: 'true', BREACHLINE_INGRESS_WORKERS: '4', BREACHLINE_INGRESS_ALERTS_TOPIC: 'siem.alerts', BREACHLINE_INGRESS_COALESCE: 'false' } }).ingress;
    expect(c).toMatchObject({ durable: true, workers: 4, alertsTopic: 'siem.alerts', coalesce: { enabled: false } });
  });

  it('durable first wherever there is a Kafka unless told otherwise; direct mode is the documented switch', () => {
    expect(ingressDurable(loadConfig({ env: {} }), true)).toBe(true);
    expect(ingressDurable(loadConfig({ env: {} }), false)).toBe(false);
    expect(ingressDurable(loadConfig({ env: { BREACHLINE_INGRESS_DURABLE: 'false' } }), true)).toBe(false);
    expect(ingressDurable(loadConfig({ env: { BREACHLINE_INGRESS_DURABLE: 'true' } }), false)).toBe(true);
  });

  it('names the field of a bad worker count or durable flag', () => {
    expect(() => loadConfig({ env: { BREACHLINE_INGRESS_WORKERS: '0' } })).toThrow(/ingress\.workers/);
    expect(() => loadConfig({ env: { BREACHLINE_INGRESS_DURABLE: 'maybe' } })).toThrow(/ingress\.durable/);
  });
});
