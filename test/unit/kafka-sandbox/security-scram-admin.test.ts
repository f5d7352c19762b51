import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdminError, ScramAdmin, assertScramResults, type ScramAdminOptions } from '../../../src/kafka/scram-admin';
import { KafkaReader, KafkaWriter } from '../../../src/kafka/wire';
import { createLogger } from '../../../src/log/logger';
import {
  CredentialStore,
  SaslAuthenticationError,
  alterScramCredentials,
  createSaslExchange,
  describeScramCredentials,
  type SaslExchange,
} from '../../../src/sandbox/kafka/security';

/**
 * The client against a deliberately small broker built from the security modules: just the five
 * APIs the client speaks, with switches for the misbehaviour a real network can produce (an
 * impostor broker, a downgrade to few iterations, a broker without API 51, silence). The full
 * sandbox broker is exercised in test/integration/kafka/scram-admin.test.ts.
 */
interface Misbehaviour {
  tamperServerFinal?: boolean;
  weakIterations?: boolean;
  withoutAlterApi?: boolean;
  silent?: boolean;
}

function startFakeBroker(store: CredentialStore, misbehave: Misbehaviour): Promise<{ server: Server; port: number; seen: Buffer[] }> {
  const seen: Buffer[] = [];
  const server = createServer((socket) => serve(socket, store, misbehave, seen));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, seen })));
}

function serve(socket: Socket, store: CredentialStore, misbehave: Misbehaviour, seen: Buffer[]): void {
  let buffered = Buffer.alloc(0);
  let exchange: SaslExchange | null = null;
  let principal: string | null = null;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
      buffered = buffered.subarray(4 + frame.length);
      seen.push(Buffer.from(frame));
      if (misbehave.silent) continue;
      const r = new KafkaReader(frame);
      const apiKey = r.int16();
      const version = r.int16();
      const correlationId = r.int32();
      r.string();
      const flexible = apiKey === 50 || apiKey === 51;
      if (flexible) r.skipTagBuffer();
      const w = new KafkaWriter().int32(correlationId);
      if (flexible) w.tagBuffer();
      if (apiKey === 18) {
        const apis = [[17, 0, 1], [18, 0, 2], [36, 0, 0], [50, 0, 0], ...(misbehave.withoutAlterApi ? [] : [[51, 0, 0]])];
        w.int16(0).array(apis, (x, [k, min, max]) => x.int16(k as number).int16(min as number).int16(max as number));
      } else if (apiKey === 17 && version === 1) {
        const mechanism = r.string() ?? '';
        exchange = createSaslExchange(mechanism, store);
        w.int16(0).array(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], (x, m) => x.string(m));
      } else if (apiKey === 36 && exchange) {
        const bytes = r.bytes() ?? Buffer.alloc(0);
        try {
          const step = exchange.step(bytes);
          let reply = step.reply;
          if (misbehave.weakIterations && !step.done) reply = Buffer.from(reply.toString().replace(/i=\d+$/, 'i=1000'));
          if (misbehave.tamperServerFinal && step.done && reply.length > 0) reply = Buffer.from(`v=${Buffer.alloc(32, 9).toString('base64')}`);
          if (step.done) principal = step.principal;
          w.int16(0).string(null).bytes(reply);
        } catch (err) {
          w.int16(58).string((err as SaslAuthenticationError).message).bytes(Buffer.alloc(0));
          socket.end(w.buildFramed());
          return;
        }
      } else if (apiKey === 50 && principal) {
        const users = r.compactArray((x) => {
          const n = x.compactString() ?? '';
          x.skipTagBuffer();
          return n;
        });
        w.int32(0).int16(0).compactString(null);
        w.compactArray(describeScramCredentials(store, users), (x, u) =>
          x.compactString(u.user).int16(u.errorCode).compactString(u.errorMessage)
            .compactArray(u.credentials, (y, c) => y.int8(c.mechanism).int32(c.iterations).tagBuffer()).tagBuffer(),
        ).tagBuffer();
      } else if (apiKey === 51 && principal) {
        const deletions = r.compactArray((x) => {
          const d = { name: x.compactString() ?? '', mechanism: x.int8() };
          x.skipTagBuffer();
          return d;
        }) ?? [];
        const upsertions = r.compactArray((x) => {
          const u = { name: x.compactString() ?? '', mechanism: x.int8(), iterations: x.int32(), salt: Buffer.from(x.compactBytes() ?? []), saltedPassword: Buffer.from(x.compactBytes() ?? []) };
          x.skipTagBuffer();
          return u;
        }) ?? [];
        const results = alterScramCredentials(store, { deletions, upsertions });
        w.int32(0).compactArray(results, (x, u) => x.compactString(u.user).int16(u.errorCode).compactString(u.errorMessage).tagBuffer()).tagBuffer();
      } else {
        socket.destroy();
        return;
      }
      socket.write(w.buildFramed());
    }
  });
}

describe('ScramAdmin against a minimal broker', () => {
  const store = new CredentialStore();
  const brokers: Array<{ server: Server; port: number; seen: Buffer[] }> = [];
  let good: { server: Server; port: number; seen: Buffer[] };
  const options = (port: number, over: Partial<ScramAdminOptions> = {}): ScramAdminOptions => ({
    brokers: [`127.0.0.1:${port}`],
    sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' },
    requestTimeoutMs: 2000,
    ...over,
  });
  const start = async (m: Misbehaviour = {}): Promise<{ server: Server; port: number; seen: Buffer[] }> => {
    const b = await startFakeBroker(store, m);
    brokers.push(b);
    return b;
  };

  beforeAll(async () => {
    store.setPassword('admin', 'admin-secret');
    good = await start();
  });
  afterAll(async () => {
    await Promise.all(brokers.map((b) => new Promise((resolve) => b.server.close(resolve))));
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('authenticates with %s, upserts, describes and deletes', async (mechanism) => {
    const admin = new ScramAdmin(options(good.port, { sasl: { mechanism, username: 'admin', password: 'admin-secret' } }));
    try {
      const user = `svc-${mechanism}`;
      const up = await admin.upsert([
        { user, mechanism: 'SCRAM-SHA-256', password: 'pw-1', iterations: 4096 },
        { user, mechanism: 'SCRAM-SHA-512', password: 'pw-1' },
      ]);
      expect(up).toEqual([{ user, errorCode: 0, errorMessage: null }]);
      expect(await admin.describe([user])).toEqual([
        { user, errorCode: 0, errorMessage: null, credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }, { mechanism: 'SCRAM-SHA-512', iterations: 8192 }] },
      ]);
      expect(store.verifyPassword(user, 'pw-1')).toBe(true);
      expect(await admin.delete([{ user, mechanism: 'SCRAM-SHA-256' }])).toEqual([{ user, errorCode: 0, errorMessage: null }]);
      const again = await admin.delete([{ user, mechanism: 'SCRAM-SHA-256' }]);
      expect(again[0]?.errorCode).toBe(91);
      expect(() => assertScramResults(again)).toThrow(KafkaAdminError);
      expect((await admin.describe()).map((d) => d.user)).toContain('admin');
    } finally {
      await admin.close();
    }
  });

  it('never puts the clear password on the wire', async () => {
    const before = good.seen.length;
    const admin = new ScramAdmin(options(good.port));
    await admin.upsert([{ user: 'wire-check', mechanism: 'SCRAM-SHA-256', password: 'very-distinct-password' }]);
    await admin.close();
    const sent = Buffer.concat(good.seen.slice(before));
    expect(sent.includes(Buffer.from('very-distinct-password'))).toBe(false);
    expect(sent.includes(Buffer.from('admin-secret'))).toBe(false);
    expect(store.verifyPassword('wire-check', 'very-distinct-password')).toBe(true);
  });

  it('logs connection events at debug level without any password', async () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 'test', level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    const admin = new ScramAdmin(options(good.port, { logger, brokers: ['127.0.0.1:1', `127.0.0.1:${good.port}`] }));
    await admin.upsert([{ user: 'logged', mechanism: 'SCRAM-SHA-512', password: 'logged-user-password' }]);
    await admin.close();
    const text = lines.join('');
    expect(text).toContain('scram admin connected');
    expect(text).toContain('scram admin could not use broker');
    expect(text).not.toContain('logged-user-password');
    expect(text).not.toContain('admin-secret');
  });

  it('fails with SASL_AUTHENTICATION_FAILED (not retriable) on a wrong password', async () => {
    const admin = new ScramAdmin(options(good.port, { sasl: { mechanism: 'scram-sha-256', username: 'admin', password: 'nope' } }));
    const err = await admin.describe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaAdminError);
    expect(err).toMatchObject({ code: 58, type: 'SASL_AUTHENTICATION_FAILED', retriable: false });
    expect((err as Error).message).not.toContain('nope');
    await admin.close();
  });

  it.each([
    ['an impostor broker (wrong server signature)', { tamperServerFinal: true }, 58, /server signature/],
    ['a downgrade to 1000 iterations', { weakIterations: true }, 58, /iterations/],
    ['a broker without AlterUserScramCredentials', { withoutAlterApi: true }, 35, /AlterUserScramCredentials/],
  ] as Array<[string, Misbehaviour, number, RegExp]>)('refuses %s', async (_label, misbehave, code, message) => {
    const b = await start(misbehave);
    const admin = new ScramAdmin(options(b.port));
    const err = await admin.describe().catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toMatch(message);
    await admin.close();
  });

  it('times out a silent broker with a retriable error and recovers on another broker', async () => {
    const silent = await start({ silent: true });
    const admin = new ScramAdmin(options(silent.port, { requestTimeoutMs: 200 }));
    const err = await admin.describe().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 7, type: 'REQUEST_TIMED_OUT', retriable: true });
    await admin.close();
    const failover = new ScramAdmin(options(silent.port, { brokers: ['127.0.0.1:1', `127.0.0.1:${good.port}`], requestTimeoutMs: 500 }));
    expect((await failover.describe(['admin']))[0]?.errorCode).toBe(0);
    await failover.close();
  });

  it('validates iterations before deriving anything', async () => {
    const admin = new ScramAdmin(options(good.port));
    await expect(admin.upsert([{ user: 'x', mechanism: 'SCRAM-SHA-256', password: 'p', iterations: 10_000_000 }])).rejects.toThrow(RangeError);
    await admin.close();
  });
});
