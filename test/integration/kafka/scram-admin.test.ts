import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdminError, ScramAdmin, type ScramMechanism } from '../../../src/kafka/scram-admin';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker } from './helpers';

/** Connects and disconnects a kafkajs admin as `username`; resolves to the error type on failure. */
async function login(sandbox: RunningKafkaSandbox, username: string, password: string, mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'): Promise<'ok' | string> {
  const admin = client(sandbox, { username, password, mechanism, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  } finally {
    await admin.disconnect();
  }
}

describe('ScramAdmin against the sandbox broker (APIs 50/51, KIP-554)', () => {
  let sandbox: RunningKafkaSandbox;
  let admin: ScramAdmin;

  beforeAll(async () => {
    sandbox = await startBroker();
    admin = new ScramAdmin({
      brokers: [...sandbox.connection.brokers],
      sasl: { mechanism: 'scram-sha-512', username: sandbox.connection.username, password: sandbox.connection.password },
      requestTimeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await admin?.close();
    await sandbox?.close();
  });

  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as ScramMechanism[])('%s: after a rotation the old password fails and the new one works', async (mechanism) => {
    const user = `rotating-${mechanism.toLowerCase()}`;
    const kafkajsMechanism = mechanism.toLowerCase() as 'scram-sha-256' | 'scram-sha-512';
    expect(await admin.upsert([{ user, mechanism, password: 'first-password' }])).toEqual([{ user, errorCode: 0, errorMessage: null }]);
    expect(await login(sandbox, user, 'first-password', kafkajsMechanism)).toBe('ok');

    expect(await admin.upsert([{ user, mechanism, password: 'second-password', iterations: 4096 }])).toEqual([{ user, errorCode: 0, errorMessage: null }]);
    expect(await login(sandbox, user, 'first-password', kafkajsMechanism)).toBe('KafkaJSSASLAuthenticationError');
    expect(await login(sandbox, user, 'second-password', kafkajsMechanism)).toBe('ok');

    expect(await admin.delete([{ user, mechanism }])).toEqual([{ user, errorCode: 0, errorMessage: null }]);
    expect(await login(sandbox, user, 'second-password', kafkajsMechanism)).toBe('KafkaJSSASLAuthenticationError');
  });

  it('describes mechanisms and iterations only, never secrets', async () => {
    await admin.upsert([
      { user: 'described', mechanism: 'SCRAM-SHA-256', password: 'pw-described', iterations: 4096 },
      { user: 'described', mechanism: 'SCRAM-SHA-512', password: 'pw-described', iterations: 16384 },
    ]);
    const [d, ghost] = await admin.describe(['described', 'nobody-here']);
    expect(d).toEqual({
      user: 'described',
      errorCode: 0,
      errorMessage: null,
      credentials: [
        { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', iterations: 16384 },
      ],
    });
    expect(ghost).toMatchObject({ user: 'nobody-here', errorCode: 91, credentials: [] });
    const all = await admin.describe();
    expect(all.map((u) => u.user)).toEqual(expect.arrayContaining([sandbox.connection.username, 'described']));
    expect(Object.keys(all[0] ?? {}).sort()).toEqual(['credentials', 'errorCode', 'errorMessage', 'user']);
  });

  it('PLAIN logins follow the rotated SCRAM-SHA-256 credential', async () => {
    await admin.upsert([{ user: 'plain-user', mechanism: 'SCRAM-SHA-256', password: 'plain-1' }]);
    expect(await login(sandbox, 'plain-user', 'plain-1', 'plain')).toBe('ok');
    await admin.upsert([{ user: 'plain-user', mechanism: 'SCRAM-SHA-256', password: 'plain-2' }]);
    expect(await login(sandbox, 'plain-user', 'plain-1', 'plain')).toBe('KafkaJSSASLAuthenticationError');
    expect(await login(sandbox, 'plain-user', 'plain-2', 'plain')).toBe('ok');
  });

  it('reports Kafka per-user errors: missing credential, duplicate alteration', async () => {
    expect((await admin.delete([{ user: 'never-existed', mechanism: 'SCRAM-SHA-512' }]))[0]?.errorCode).toBe(91);
    const dup = await admin.upsert([
      { user: 'dup', mechanism: 'SCRAM-SHA-256', password: 'a' },
      { user: 'dup', mechanism: 'SCRAM-SHA-256', password: 'b' },
    ]);
    expect(dup).toEqual([{ user: 'dup', errorCode: 92, errorMessage: expect.any(String) }]);
    expect((await admin.describe(['dup']))[0]?.errorCode).toBe(91);
  });

  it('a principal without cluster ALTER/DESCRIBE gets CLUSTER_AUTHORIZATION_FAILED', async () => {
    await admin.upsert([{ user: 'not-admin', mechanism: 'SCRAM-SHA-512', password: 'not-admin-pw' }]);
    const weak = new ScramAdmin({ brokers: [...sandbox.connection.brokers], sasl: { mechanism: 'scram-sha-512', username: 'not-admin', password: 'not-admin-pw' } });
    try {
      const err = await weak.describe().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaAdminError);
      expect(err).toMatchObject({ code: 31, type: 'CLUSTER_AUTHORIZATION_FAILED' });
      expect(await weak.upsert([{ user: 'not-admin', mechanism: 'SCRAM-SHA-512', password: 'escalate' }])).toEqual([
        { user: 'not-admin', errorCode: 31, errorMessage: expect.any(String) },
      ]);
    } finally {
      await weak.close();
    }
    expect(await login(sandbox, 'not-admin', 'not-admin-pw', 'scram-sha-512')).toBe('ok');
  });

  it('a wrong admin password fails with SASL_AUTHENTICATION_FAILED', async () => {
    const bad = new ScramAdmin({ brokers: [...sandbox.connection.brokers], sasl: { mechanism: 'scram-sha-256', username: sandbox.connection.username, password: 'wrong' } });
    await expect(bad.describe()).rejects.toMatchObject({ code: 58, retriable: false });
    await bad.close();
  });
});

/** A throwaway self-signed certificate for 127.0.0.1, or undefined when openssl is not installed. */
function selfSignedCertificate(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'scram-admin-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tlsMaterial = selfSignedCertificate();

describe.skipIf(!tlsMaterial)('ScramAdmin over TLS (SASL_SSL listener)', () => {
  let sandbox: RunningKafkaSandbox;
  const material = tlsMaterial as { key: string; cert: string };

  beforeAll(async () => {
    sandbox = await startBroker({ tls: material });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const adminWith = (ssl: ConstructorParameters<typeof ScramAdmin>[0]['ssl']): ScramAdmin =>
    new ScramAdmin({
      brokers: [...sandbox.connection.brokers],
      ssl,
      sasl: { mechanism: 'scram-sha-256', username: sandbox.connection.username, password: sandbox.connection.password },
      requestTimeoutMs: 5000,
    });

  it('rotates a credential over TLS when the broker certificate is trusted', async () => {
    const admin = adminWith({ ca: material.cert });
    try {
      expect(await admin.upsert([{ user: 'tls-user', mechanism: 'SCRAM-SHA-512', password: 'tls-pw' }])).toEqual([{ user: 'tls-user', errorCode: 0, errorMessage: null }]);
      expect((await admin.describe(['tls-user']))[0]?.credentials).toEqual([{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }]);
    } finally {
      await admin.close();
    }
  });

  it('refuses an untrusted certificate without retrying', async () => {
    const admin = adminWith(true);
    const err = await admin.describe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaAdminError);
    expect(err).toMatchObject({ code: 13, retriable: false });
    await admin.close();
  });
});
