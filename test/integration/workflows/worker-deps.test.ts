import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';
import { MissingSystemsError } from '../../../src/config/systems';
import { silentLogger } from '../../../src/log/logger';
import { startSandboxes, type SandboxSet } from '../../../src/sandbox/up';
import { buildDeps, resolveEndpoints } from '../../../worker/deps';

const ROOT = join(__dirname, '..', '..', '..');
const started: SandboxSet[] = [];
afterAll(async () => {
  for (const s of started) await s.close();
});

describe('worker endpoints and deps', () => {
  it('uses stand-ins the caller started, and the deps work against them', async () => {
    const set = await startSandboxes({ only: ['temporal', 'kafka', 'vault', 'slack'] });
    started.push(set);
    const config = loadConfig({ env: {} });
    const endpoints = resolveEndpoints(config, set);
    expect(endpoints.temporal.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const deps = buildDeps(config, endpoints, silentLogger);
    await deps.secrets.writeSecret('kafka/service-accounts/probe', { username: 'probe', password: 'x', mechanism: 'SCRAM-SHA-512' });
    expect((await deps.secrets.readSecret('kafka/service-accounts/probe')).data.username).toBe('probe');
    expect(await deps.conversation?.postIncidentMessage({ channel: '#incidents', text: 'worker deps probe' })).toMatchObject({ ts: expect.any(String) });
    expect(deps.auditTopic).toBe('breachline.audit');
  });

  it('never starts a sandbox: a missing address is an error listing each missing system', () => {
    const config = loadConfig({ env: { BREACHLINE_VAULT_ADDRESS: 'http://127.0.0.1:8200', BREACHLINE_VAULT_TOKEN: 'root' } });
    let error: unknown;
    try {
      resolveEndpoints(config);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingSystemsError);
    expect((error as MissingSystemsError).missing).toEqual(['temporal', 'kafka', 'slack']);
    expect((error as ConfigError).message).toMatch(/BREACHLINE_TEMPORAL_ADDRESS[\s\S]*BREACHLINE_KAFKA_BROKERS[\s\S]*BREACHLINE_SLACK_API_URL/);
  });

  it('worker/main.ts with every address but Kafka exits 1 naming BREACHLINE_KAFKA_BROKERS, and starts nothing', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('BREACHLINE_')) delete env[key];
    // Addresses nothing listens on: the worker must refuse before it connects to any of them.
    Object.assign(env, {
      BREACHLINE_TEMPORAL_ADDRESS: '127.0.0.1:1',
      BREACHLINE_VAULT_ADDRESS: 'http://127.0.0.1:1',
      BREACHLINE_VAULT_TOKEN: 'root',
      BREACHLINE_SLACK_API_URL: 'http://127.0.0.1:1/api/',
      BREACHLINE_SLACK_BOT_TOKEN: 'xoxb-test',
      BREACHLINE_SLACK_SIGNING_SECRET: 'signing-secret',
    });
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker', 'main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(out).toContain('BREACHLINE_KAFKA_BROKERS');
    expect(out).not.toContain('BREACHLINE_VAULT_ADDRESS');
    expect(out).not.toMatch(/sandbox listening|worker running/);
  }, 60_000);
});
