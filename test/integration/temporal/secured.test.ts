import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalSecurity, type TemporalConnectOptions } from '../../../src/app/secured-connections';
import { loadConfig } from '../../../src/config/config';
import { start, type RunningTemporalSandbox } from '../../../src/sandbox/temporal';
import { generateTestPki, hasOpenssl, type TestPki } from '../../support/pki';
import { bundle, quietRuntime, uid } from './helpers';
import { createActivities } from './workflows/activities';
import * as wf from './workflows';

/**
 * A Temporal frontend secured like a Temporal Cloud namespace: TLS with a private CA, client
 * certificates required (mTLS), and an API key on every call. The real SDK (client and the Rust
 * core worker) connects with options built from breachline's configuration variables, runs a
 * workflow, and is refused with a clear error for each missing or wrong piece.
 */

const API_KEY = 'cloud-api-key-for-tests-0123456789';

describe.skipIf(!hasOpenssl())('temporal: TLS, mTLS and API key against the sandbox frontend', () => {
  let pki: TestPki;
  let sandbox: RunningTemporalSandbox;
  let secured: TemporalConnectOptions;

  const optionsFrom = (env: Record<string, string>): TemporalConnectOptions => ({
    address: sandbox.address,
    ...temporalSecurity(loadConfig({ env: { BREACHLINE_TEMPORAL_ADDRESS: sandbox.address, ...env } }).temporal),
  });

  beforeAll(async () => {
    quietRuntime();
    pki = generateTestPki();
    sandbox = await start({ tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requireClientCert: true }, apiKeys: [API_KEY] });
    secured = optionsFrom({
      BREACHLINE_TEMPORAL_CA_FILE: pki.ca.certFile,
      BREACHLINE_TEMPORAL_CERT_FILE: pki.client.certFile,
      BREACHLINE_TEMPORAL_KEY_FILE: pki.client.keyFile,
      BREACHLINE_TEMPORAL_TLS_SERVER_NAME: 'localhost',
      BREACHLINE_TEMPORAL_API_KEY: API_KEY,
    });
  });
  afterAll(async () => {
    await sandbox?.close();
    pki?.dispose();
  });

  it('runs a workflow with the client and a worker over mTLS with the API key', async () => {
    const connection = await Connection.connect(secured);
    const native = await NativeConnection.connect(secured);
    const taskQueue = uid('secured');
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await bundle(), activities: createActivities() });
    try {
      const result = await worker.runUntil(new Client({ connection }).workflow.execute(wf.threeActivities, { taskQueue, workflowId: uid('tls'), args: [10] }));
      expect(result).toBe(16);
    } finally {
      await connection.close();
      await native.close();
    }
  });

  it('refuses a wrong or missing API key with UNAUTHENTICATED', async () => {
    // The SDK wraps the frontend's answer; its cause carries the gRPC status and details.
    const refusal = async (options: TemporalConnectOptions): Promise<{ code?: number; details?: string }> => {
      const err = await Connection.connect(options).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      return ((err as Error).cause ?? err) as { code?: number; details?: string };
    };
    expect(await refusal({ ...secured, apiKey: 'not-the-key' })).toMatchObject({ code: 16, details: 'Request unauthorized: invalid API key' });
    const { apiKey: _omitted, ...withoutKey } = secured;
    expect(await refusal(withoutKey)).toMatchObject({ code: 16, details: expect.stringContaining('no API key') });
    await expect(NativeConnection.connect({ ...secured, apiKey: 'not-the-key' })).rejects.toThrow(/invalid API key|Unauthenticated/i);
  });

  it('fails the handshake without a client certificate', async () => {
    const noCert = optionsFrom({ BREACHLINE_TEMPORAL_CA_FILE: pki.ca.certFile, BREACHLINE_TEMPORAL_TLS_SERVER_NAME: 'localhost', BREACHLINE_TEMPORAL_API_KEY: API_KEY });
    await expect(Connection.connect({ ...noCert, connectTimeout: 3000 })).rejects.toThrow();
    await expect(NativeConnection.connect(noCert)).rejects.toThrow();
  });

  it('refuses a frontend whose certificate another CA signed', async () => {
    const wrongCa = optionsFrom({
      BREACHLINE_TEMPORAL_CA_FILE: pki.otherCa.certFile,
      BREACHLINE_TEMPORAL_CERT_FILE: pki.client.certFile,
      BREACHLINE_TEMPORAL_KEY_FILE: pki.client.keyFile,
      BREACHLINE_TEMPORAL_API_KEY: API_KEY,
    });
    await expect(Connection.connect({ ...wrongCa, connectTimeout: 3000 })).rejects.toThrow();
    await expect(NativeConnection.connect(wrongCa)).rejects.toThrow(/certificate|invalid peer|UnknownIssuer|tls/i);
  });

  it('a plaintext client cannot talk to the TLS frontend', async () => {
    await expect(Connection.connect({ address: sandbox.address, connectTimeout: 3000 })).rejects.toThrow();
  });
});
