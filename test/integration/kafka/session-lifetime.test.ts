import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger';
import { ApiKey, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker } from './helpers';
import { RawKafkaSocket } from './raw-client';

const LIFETIME = 1500;
let sandbox: RunningKafkaSandbox;
/** The broker's log lines, to see which connection authenticated when. */
const lines: Array<{ msg?: string; session?: number; principal?: string }> = [];
const logger = createLogger({ name: 'kafka-test', level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) } });

beforeAll(async () => {
  sandbox = await startBroker({ saslSessionLifetimeMs: LIFETIME, superUsers: ['User:rotating'], logger });
  sandbox.broker.createTopic('lifetime');
  sandbox.broker.credentials.setPassword('rotating', 'first');
});
afterAll(async () => {
  await sandbox.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kafka sandbox: SASL session lifetime (KIP-368)', () => {
  it('lets kafkajs re-authenticate in place, and ends the session once the credential is gone', async () => {
    const kafka = client(sandbox, { username: 'rotating', password: 'first', reauthenticationThreshold: 1000, retry: { retries: 0 } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'lifetime', messages: [{ value: 'one' }] });
    await sleep(LIFETIME + 200);
    // Past the lifetime the broker would close the session, so this send only works because
    // kafkajs re-authenticated on the same connection first.
    await producer.send({ topic: 'lifetime', messages: [{ value: 'two' }] });
    const auths = lines.filter((l) => l.msg === 'kafka client authenticated' && l.principal === 'User:rotating').map((l) => l.session);
    expect(auths.length).toBeGreaterThan(new Set(auths).size);
    expect(lines.some((l) => l.msg === 'closing kafka connection')).toBe(false);

    sandbox.broker.credentials.deleteScram('rotating', 'SCRAM-SHA-512');
    sandbox.broker.credentials.deleteScram('rotating', 'SCRAM-SHA-256');
    await sleep(LIFETIME);
    const err = (await producer.send({ topic: 'lifetime', messages: [{ value: 'three' }] }).then(() => undefined, (e: unknown) => e)) as Error | undefined;
    expect(err?.name ?? '').toMatch(/SASLAuthentication|NonRetriable|Connection/);
    await producer.disconnect().catch(() => undefined);
    expect(sandbox.broker.topics.partition('lifetime', 0).logEndOffset).toBe(2);
  });

  it('closes a connection that keeps using an expired session', async () => {
    const raw = await RawKafkaSocket.open(sandbox.address);
    expect(await raw.authenticatePlain(sandbox.connection.username, sandbox.connection.password, 1)).toBe(0);
    await raw.request(ApiKey.Metadata, 4, (w) => w.int32(0).boolean(false));
    await sleep(LIFETIME + 100);
    void raw.request(ApiKey.Metadata, 4, (w) => w.int32(0).boolean(false)).catch(() => undefined);
    expect(await raw.closesWithin(2000)).toBe(true);
  });
});
