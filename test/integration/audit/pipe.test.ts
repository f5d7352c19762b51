import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { createAuditActivities } from '../../../activities/audit';
import { MockActivityEnvironment } from '@temporalio/testing';
import { silentLogger } from '../../../src/log/logger';
import { fullHistory } from '../../unit/domain/history';

/*
 * `breachline audit verify --events | head -1` as an operator types it: bin/breachline in a
 * real shell pipeline. The output (hundreds of event lines) is far larger than the pipe buffer,
 * so the command is still writing when `head` exits; it must end quietly with exit 0.
 */

const ROOT = path.resolve(__dirname, '../../..');
let kafka: RunningKafkaSandbox;

beforeAll(async () => {
  kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  const acts = createAuditActivities({ kafka: kafka.connection, auditTopic: 'audit.pipe', logger: silentLogger });
  const env = new MockActivityEnvironment();
  for (let i = 0; i < 40; i++) await env.run(acts.appendAudit, { events: fullHistory(`incident-pipe-${i}`).events });
});
afterAll(async () => {
  await kafka?.close();
});

describe('piped output', () => {
  it('audit verify --events | head -1 prints one line and exits 0, with nothing on stderr', async () => {
    const env = {
      ...process.env,
      BREACHLINE_CONFIG_FILE: '',
      BREACHLINE_KAFKA_BROKERS: kafka.connection.brokers.join(','),
      BREACHLINE_KAFKA_USERNAME: kafka.connection.username,
      BREACHLINE_KAFKA_PASSWORD: kafka.connection.password,
      BREACHLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    };
    const script = `set -o pipefail; "${process.execPath}" bin/breachline audit verify --events --topic audit.pipe | head -1`;
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-c', script], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      });
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^audit topic audit\.pipe: \d+ records, 40 incident\(s\)/);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(0);
  });
});
