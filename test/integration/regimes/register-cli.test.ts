import { execFile } from 'node:child_process';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditActivities } from '../../../activities/audit';
import type { DomainEvent } from '../../../src/domain/events';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { contained, forensics, gdprClock, opened, PII } from '../../unit/regimes/fixtures';

/*
 * `register export` and `incident draft` as a user runs them: the CLI as a child process reading
 * the audit topic of the Kafka sandbox over real sockets, with events appended by the audit
 * activity (hash-chained as in production).
 */

const TOPIC = 'breachline.audit';
const ROOT = path.resolve(__dirname, '../../..');
let kafka: RunningKafkaSandbox;

const closed = gdprClock(forensics(contained(opened('inc-a'))))
  .add('NotificationFiled', { regime: 'gdpr', recipient: 'supervisory-authority', authority: 'BfDI', reference: 'BfDI-2026-0042', filedAt: '2026-03-28T09:00:00.000Z', late: false, stage: 'authority', phase: 'initial' })
  .add('IncidentClosed', { resolution: 'contained and notified', openItems: [] });
const notNotifiable = gdprClock(opened('inc-b', 'analytics-etl over-read')).add('RegimeNotNotifiable', { regime: 'gdpr', reasoning: 'pseudonymised test data' });

beforeAll(async () => {
  kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  const acts = createAuditActivities({ kafka: kafka.connection, auditTopic: TOPIC, logger: silentLogger });
  const env = new MockActivityEnvironment();
  await env.run(acts.ensureAuditTopic);
  // Interleaved on the one topic, as two live incidents would be.
  const append = (events: DomainEvent[]): Promise<unknown> => env.run(acts.appendAudit, { events });
  await append(closed.events.slice(0, 3));
  await append(notNotifiable.events);
  await append(closed.events.slice(3));
}, 120_000);

afterAll(async () => {
  await kafka?.close();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    BREACHLINE_CONFIG_FILE: '',
    BREACHLINE_KAFKA_BROKERS: kafka.connection.brokers.join(','),
    BREACHLINE_KAFKA_USERNAME: kafka.connection.username,
    BREACHLINE_KAFKA_PASSWORD: kafka.connection.password,
    BREACHLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    BREACHLINE_KAFKA_AUDIT_TOPIC: TOPIC,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin', 'breachline'), ...args], { cwd: ROOT, env, timeout: 45_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

describe('breachline register export / incident draft on the audit topic', () => {
  it('register export --format csv: one row per incident, closed and notified, open and not notifiable', async () => {
    const { code, stdout, stderr } = await cli(['register', 'export', '--format', 'csv', '--topic', TOPIC]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^incidentId,title,severity,status,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'inc-a,report-exporter reading orders,critical,closed',
      'inc-b,analytics-etl over-read,critical,open',
    ]);
    expect(lines[1]).toContain(',yes,gdpr: notified,');
    expect(lines[2]).toContain(',no,gdpr: not-notifiable,');
  }, 90_000);

  it('incident draft inc-a gdpr authority: the Art. 33(3) draft with counts and no people', async () => {
    const { code, stdout } = await cli(['incident', 'draft', 'inc-a', 'gdpr', 'authority', '--topic', TOPIC]);
    expect(code).toBe(0);
    expect(stdout).toContain('## Art. 33(3)(a): nature of the personal data breach');
    expect(stdout).toContain('approximately 48213');
    expect(stdout).not.toContain(PII.approver);
    expect(stdout).not.toContain(PII.slackUser);
  }, 90_000);
});
