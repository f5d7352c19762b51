import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAccess } from '../../../src/kafka/access-probe';
import { createKafka, type KafkaConnection, type KafkaTls } from '../../../src/kafka/client';
import { createOAuthTokenSource, OAuthTokenError } from '../../../src/kafka/oauth-token';
import { ScramAdmin } from '../../../src/kafka/scram-admin';
import { scramAdminFor } from '../../../src/kafka/scram-rotation';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { startOAuthServer, signJwt, type TestOAuthServer } from '../../support/oauth-server';
import { generateTestPki, hasOpenssl, type TestPki } from '../../support/pki';
import { startBroker } from './helpers';

/**
 * Secured Kafka paths, each against a real handshake: TLS with a CA bundle, mTLS
 * (`ssl.client.auth=required`), server-name checks, SASL PLAIN and OAUTHBEARER, through kafkajs
 * (our `createKafka`) and the raw wire clients (ScramAdmin, the access probe).
 */

const fast = { retry: { retries: 0 }, connectionTimeout: 2000, authenticationTimeout: 2000 };

async function listTopics(connection: KafkaConnection): Promise<string[]> {
  const admin = createKafka(connection, { clientId: 'secured-test', overrides: fast }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe.skipIf(!hasOpenssl())('kafka: TLS and mTLS with certificates made in the test', () => {
  let pki: TestPki;
  let sandbox: RunningKafkaSandbox;
  let base: KafkaConnection;
  const tls = (extra: KafkaTls): KafkaConnection => ({ ...base, ssl: extra });

  beforeAll(async () => {
    pki = generateTestPki();
    sandbox = await startBroker({ tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requireClientCert: true } });
    base = { ...sandbox.connection, brokers: [...sandbox.connection.brokers] };
  });
  afterAll(async () => {
    await sandbox?.close();
    pki?.dispose();
  });

  it('kafkajs connects with the CA bundle and a client certificate', async () => {
    await expect(listTopics(tls({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }))).resolves.toBeInstanceOf(Array);
  });

  it('checks the configured server name against the certificate', async () => {
    await expect(listTopics(tls({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key, servername: 'broker.test' }))).resolves.toBeInstanceOf(Array);
    await expect(listTopics(tls({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key, servername: 'wrong.test' }))).rejects.toThrow(/does not match|altnames/i);
  });

  it('refuses a broker certificate from another CA with a clear error', async () => {
    await expect(listTopics(tls({ ca: pki.otherCa.cert, cert: pki.client.cert, key: pki.client.key }))).rejects.toThrow(/unable to verify|self.signed|certificate/i);
  });

  it('is refused by the broker without a client certificate', async () => {
    await expect(listTopics(tls({ ca: pki.ca.cert }))).rejects.toThrow();
    // The broker never authenticated anyone over that connection.
    expect(sandbox.broker.accessLog.query({}).filter((r) => r.principal !== `User:${sandbox.connection.username}`)).toEqual([]);
  });

  it('the raw wire clients honour the same TLS options', async () => {
    const good = tls({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
    const admin = scramAdminFor(good);
    try {
      await admin.upsert([{ user: 'mtls-user', mechanism: 'SCRAM-SHA-512', password: 'mtls-password' }]);
      expect((await admin.describe(['mtls-user']))[0]?.credentials).toEqual([{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }]);
    } finally {
      await admin.close();
    }
    const topics = { produce: 'any', consume: 'any' };
    expect((await probeAccess({ connection: good }, topics)).produce.outcome).toBe('allowed');
    const noCert = await probeAccess({ connection: tls({ ca: pki.ca.cert }) }, topics);
    expect(noCert.produce.outcome).toBe('unreachable');
    const wrongCa = new ScramAdmin({ brokers: [...base.brokers], ssl: { ca: pki.otherCa.cert, cert: pki.client.cert, key: pki.client.key }, sasl: { mechanism: 'scram-sha-512', username: base.username, password: base.password } });
    await expect(wrongCa.describe()).rejects.toThrow(/unable to verify|certificate/i);
    await wrongCa.close();
  });
});

describe('kafka: SASL PLAIN and OAUTHBEARER', () => {
  const key = 'oauth-test-signing-key-0123456789';
  let sandbox: RunningKafkaSandbox;
  let oauth: TestOAuthServer;
  let base: KafkaConnection;

  beforeAll(async () => {
    oauth = await startOAuthServer({ clientId: 'breachline', clientSecret: 'client-secret-value', key, audience: 'kafka', lifetimeS: 300 });
    sandbox = await startBroker({ oauthBearer: { hmacKey: key, audience: 'kafka' }, superUsers: ['User:breachline'] });
    base = { ...sandbox.connection, brokers: [...sandbox.connection.brokers] };
  });
  afterAll(async () => {
    await sandbox?.close();
    await oauth?.close();
  });

  it('logs in with SASL PLAIN', async () => {
    await expect(listTopics({ ...base, saslMechanism: 'plain' })).resolves.toBeInstanceOf(Array);
    await expect(listTopics({ ...base, saslMechanism: 'plain', password: 'wrong' })).rejects.toThrow(/Invalid username or password/);
  });

  it('logs in with a client-credentials token and refreshes it before expiry', async () => {
    let now = Date.now();
    const source = createOAuthTokenSource({ tokenUrl: oauth.tokenUrl, clientId: 'breachline', clientSecret: 'client-secret-value', refreshMarginMs: 60_000, now: () => now });
    const connection: KafkaConnection = { ...base, saslMechanism: 'oauthbearer', username: 'breachline', password: '', oauthBearer: source };
    await listTopics(connection);
    await listTopics(connection);
    expect(oauth.issued).toBe(1);
    // 300 s tokens are refreshed 60 s before they expire, not after.
    now += 239_000;
    await listTopics(connection);
    expect(oauth.issued).toBe(1);
    now += 2_000;
    await listTopics(connection);
    expect(oauth.issued).toBe(2);
    const logins = sandbox.broker.accessLog.query({}).filter((r) => r.principal === 'User:breachline');
    expect(logins.length).toBeGreaterThan(0);
  });

  it('the raw wire clients log in with the token too', async () => {
    const source = createOAuthTokenSource({ tokenUrl: oauth.tokenUrl, clientId: 'breachline', clientSecret: 'client-secret-value' });
    const connection: KafkaConnection = { ...base, saslMechanism: 'oauthbearer', username: 'breachline', password: '', oauthBearer: source };
    const admin = scramAdminFor(connection);
    await expect(admin.describe([base.username])).resolves.toHaveLength(1);
    await admin.close();
    expect((await probeAccess({ connection }, { produce: 'x', consume: 'x' })).produce.outcome).toBe('allowed');
  });

  it('refuses tokens signed with another key, expired, for another audience, or unsigned', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string]> = [
      [signJwt({ sub: 'breachline', aud: 'kafka', exp: now + 60 }, 'not-the-broker-key-0123456789'), 'bad signature'],
      [signJwt({ sub: 'breachline', aud: 'kafka', exp: now - 1 }, key), 'expired'],
      [signJwt({ sub: 'breachline', aud: 'elsewhere', exp: now + 60 }, key), 'wrong audience'],
      [signJwt({ sub: 'breachline', aud: 'kafka', exp: now + 60 }, undefined), 'unsecured tokens are not accepted'],
    ];
    for (const [token, reason] of cases) {
      const connection: KafkaConnection = { ...base, saslMechanism: 'oauthbearer', username: 'x', password: '', oauthBearer: async () => token };
      await expect(listTopics(connection), reason).rejects.toThrow(new RegExp(`invalid OAUTHBEARER token \\(${reason}\\)`));
      expect((await probeAccess({ connection }, { produce: 'x', consume: 'x' })).produce).toEqual({ outcome: 'denied', reason: 'SASL_AUTHENTICATION_FAILED' });
    }
  });

  it('a refused client-credentials grant names the endpoint and status, never the secret', async () => {
    const source = createOAuthTokenSource({ tokenUrl: oauth.tokenUrl, clientId: 'breachline', clientSecret: 'wrong-secret-value' });
    const err = await source().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthTokenError);
    expect((err as Error).message).toContain(oauth.tokenUrl);
    expect((err as Error).message).toContain('HTTP 401, invalid_client');
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });

  it('reads a token file again once the token in it nears expiry', async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'oauth-file-'));
    const file = join(dir, 'token');
    const t0 = Math.floor(Date.now() / 1000);
    writeFileSync(file, `${signJwt({ sub: 'breachline', aud: 'kafka', exp: t0 + 120 }, key)}\n`);
    let now = t0 * 1000;
    const source = createOAuthTokenSource({ tokenFile: file, refreshMarginMs: 30_000, now: () => now });
    const first = await source();
    await expect(listTopics({ ...base, saslMechanism: 'oauthbearer', username: 'breachline', password: '', oauthBearer: source })).resolves.toBeInstanceOf(Array);
    const second = signJwt({ sub: 'breachline', aud: 'kafka', exp: t0 + 600 }, key);
    writeFileSync(file, second);
    expect(await source()).toBe(first);
    now += 91_000;
    expect(await source()).toBe(second);
  });
});
