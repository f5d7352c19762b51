import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets, type Logger } from '../../../src/log/logger';

const PASSWORD = 'kafka-scram-pa55word-7731';
const HMAC = 'splunk-relay-hmac-secret-0042';
const SIGNING = 'slack-signing-secret-ab12cd34';
const ROOT = 'hvs.vault-root-token-9f8e7d';
const BOT = 'xoxb-1111-2222-bottoken';
const SIGNATURE = 'sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const SLACK_SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const CONFIGURED = 'configured-only-secret-5566';
const ALL = [PASSWORD, HMAC, SIGNING, ROOT, BOT, SIGNATURE, SLACK_SIG, CONFIGURED];

/** A logger writing into an array, with one secret known by value only. */
function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ name: 'redaction-test', level: 'debug', destination: { write: (l: string) => void lines.push(l) }, secretValues: [CONFIGURED] });
  return { logger, lines };
}

const cases: Array<[string, (log: Logger) => void]> = [
  ['nested password in config', (log) => log.info({ config: { kafka: { sasl: { mechanism: 'scram-sha-512', password: PASSWORD } } } }, 'loaded')],
  ['objects in arrays in objects', (log) => log.info({ sources: [{ name: 'splunk', creds: { hmacSecret: HMAC } }, { name: 'x', list: [[{ signingSecret: SIGNING }]] }] }, 'sources')],
  ['vault root token and bot token deep', (log) => log.warn({ a: { b: { c: { d: { rootToken: ROOT, slack: { botToken: BOT } } } } } }, 'deep')],
  ['signature headers', (log) => log.info({ req: { headers: { 'x-breachline-signature': SIGNATURE, 'X-Slack-Signature': SLACK_SIG, authorization: `Bearer ${HMAC}` } } }, 'request')],
  ['child logger bindings', (log) => log.child({ incident: { vault: { token: ROOT } }, hmacSecret: HMAC }).info('child line')],
  ['grandchild with a nested secret in the line', (log) => log.child({ step: 'rotate' }).child({ correlationId: 'c1' }).info({ creds: [{ password: PASSWORD }] }, 'grandchild')],
  ['error whose message holds the password logged beside the config', (log) => log.error({ err: new Error(`SASL authentication failed for user app with password ${PASSWORD}`), sasl: { password: PASSWORD } }, 'connect failed')],
  ['error whose message holds a configured secret', (log) => log.error({ err: new Error(`vault said: token ${CONFIGURED} is invalid`) }, 'vault')],
  ['error as the only argument', (log) => log.error(new Error(`bad secret ${CONFIGURED}`))],
  ['nested error inside an array', (log) => log.warn({ failures: [{ err: new Error(`hmac ${HMAC} mismatch`) }], hmacSecret: HMAC }, 'failures')],
  ['secret in the message text', (log) => log.info({ password: PASSWORD }, `retrying with ${PASSWORD}`)],
  ['configured secret in the message text', (log) => log.info(`using ${CONFIGURED}`)],
];

describe('log redaction at any depth', () => {
  it.each(cases)('%s: no secret in the output', (_name, write) => {
    const { logger, lines } = capture();
    write(logger);
    expect(lines).toHaveLength(1);
    const out = lines.join('');
    for (const secret of ALL) expect(out).not.toContain(secret);
    // The line is still useful: it parses and says something was there.
    expect(() => JSON.parse(out) as unknown).not.toThrow();
    expect(out).toContain('[redacted]');
  });

  it('keeps what is not secret', () => {
    const { logger, lines } = capture();
    logger.child({ incidentId: 'incident-1' }).error({ err: new Error('broker not reachable'), topic: 'orders', attempts: [1, 2] }, 'produce failed');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ incidentId: 'incident-1', topic: 'orders', attempts: [1, 2], msg: 'produce failed', err: { type: 'Error', message: 'broker not reachable' } });
    expect((line.err as { stack?: string }).stack).toContain('broker not reachable');
  });
});

describe('redactSecrets', () => {
  it('censors every known value, the longest first, and leaves short values alone', () => {
    expect(redactSecrets('a hunter2-long b hunter2-longer c', ['hunter2-long', 'hunter2-longer'])).toBe('a [redacted] b [redacted] c');
    expect(redactSecrets('port 9092', ['9092'])).toBe('port 9092');
  });
});
