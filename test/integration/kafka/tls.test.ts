import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { client, startBroker, waitFor } from './helpers';

/** A throwaway self-signed certificate for 127.0.0.1, or undefined without openssl. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-sandbox-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const material = selfSigned();

describe.skipIf(!material)('kafka sandbox: SASL_SSL listener', () => {
  let sandbox: RunningKafkaSandbox;
  beforeAll(async () => {
    sandbox = await startBroker({ tls: material });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('serves kafkajs over TLS, verified against the certificate, with SCRAM on top', async () => {
    expect(sandbox.connection.ssl).toBe(true);
    const kafka = client(sandbox, { ssl: { ca: [material?.cert ?? ''] } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tls-topic' }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'tls-topic', messages: [{ value: 'over tls' }] });
    const consumer = kafka.consumer({ groupId: 'tls-group', maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'tls-topic', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await waitFor(() => seen.length === 1, 15_000, 'one message');
    expect(seen).toEqual(['over tls']);
    await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);

    // A plaintext client cannot talk to the TLS listener.
    const plain = client(sandbox, { retry: { retries: 0 }, connectionTimeout: 1000, authenticationTimeout: 1000 });
    const plainAdmin = plain.admin();
    await expect(plainAdmin.connect()).rejects.toThrow();
  });
});
