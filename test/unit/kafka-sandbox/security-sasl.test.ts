import { createRequire } from 'node:module';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeSaslName, scramAuthMessage, scramClientProof, scramHi } from '../../../src/kafka/scram-math';
import {
  CredentialStore,
  SASL_MECHANISMS,
  SaslAuthenticationError,
  createSaslExchange,
  type SaslExchange,
  type ScramMechanism,
} from '../../../src/sandbox/kafka/security';

// kafkajs's own client side of SASL, driven without a socket: its authenticators only need a
// `saslAuthenticate({request, response})` function, which here feeds our server exchange.
interface KafkajsCodec {
  encode(): Promise<Buffer>;
}
interface KafkajsResponse {
  decode(raw: Buffer): Promise<Buffer>;
  parse(data: Buffer): Promise<unknown>;
}
type SaslAuthenticate = (args: { request: KafkajsCodec; response?: KafkajsResponse }) => Promise<unknown>;
interface KafkajsAuthenticator {
  authenticate(): Promise<void>;
}
type ProviderFactory = (sasl: { username: string; password: string }) => (ctx: {
  host: string;
  port: number;
  logger: Record<'debug' | 'info' | 'warn' | 'error', () => void>;
  saslAuthenticate: SaslAuthenticate;
}) => KafkajsAuthenticator;

const requireFromRoot = createRequire(join(process.cwd(), 'package.json'));
const providers: Record<string, ProviderFactory> = {
  PLAIN: requireFromRoot('kafkajs/src/broker/saslAuthenticator/plain') as ProviderFactory,
  'SCRAM-SHA-256': requireFromRoot('kafkajs/src/broker/saslAuthenticator/scram256') as ProviderFactory,
  'SCRAM-SHA-512': requireFromRoot('kafkajs/src/broker/saslAuthenticator/scram512') as ProviderFactory,
};
const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface Outcome {
  principal?: string;
  serverError?: SaslAuthenticationError;
  transcript: string[];
}

/** Runs kafkajs's authenticator for `mechanism` against a fresh server exchange over `store`. */
async function kafkajsLogin(mechanism: string, store: CredentialStore, username: string, password: string): Promise<Outcome> {
  const exchange = createSaslExchange(mechanism, store);
  const outcome: Outcome = { transcript: [] };
  const saslAuthenticate: SaslAuthenticate = async ({ request, response }) => {
    const framed = await request.encode();
    const clientBytes = framed.subarray(4); // kafkajs frames auth bytes as INT32-length BYTES
    outcome.transcript.push(clientBytes.toString('utf8'));
    let step;
    try {
      step = exchange.step(clientBytes);
    } catch (err) {
      if (err instanceof SaslAuthenticationError) outcome.serverError = err;
      // What the broker does: error 58 with the message, which kafkajs surfaces as an Error.
      throw new Error((err as Error).message, { cause: err });
    }
    outcome.transcript.push(step.reply.toString('utf8'));
    if (step.done) outcome.principal = step.principal;
    if (!response) return undefined;
    const len = Buffer.alloc(4);
    len.writeInt32BE(step.reply.length);
    return response.parse(await response.decode(Buffer.concat([len, step.reply])));
  };
  const auth = providers[mechanism]?.({ username, password })({ host: '127.0.0.1', port: 9092, logger: quietLogger, saslAuthenticate });
  if (!auth) throw new Error(`no kafkajs provider for ${mechanism}`);
  await auth.authenticate();
  return outcome;
}

async function loginFails(mechanism: string, store: CredentialStore, username: string, password: string): Promise<{ message: string }> {
  const err = await kafkajsLogin(mechanism, store, username, password).then(
    (o) => new Error(`login unexpectedly succeeded as ${o.principal ?? '?'}`),
    (e: unknown) => e as Error,
  );
  expect(err.name).toBe('KafkaJSSASLAuthenticationError');
  return { message: err.message };
}

const SCRAMS: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

describe('SASL mechanisms against kafkajs 2.2.4 client code', () => {
  const store = new CredentialStore();
  beforeAll(() => {
    store.setPassword('alice', 'alice-secret');
    store.setPassword('we,ird=name', 'p4ss');
    store.setPassword('ünï', 'pässwörd');
  });

  it('advertises PLAIN and both SCRAM mechanisms', () => {
    expect([...SASL_MECHANISMS].sort()).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
  });

  it.each([...SASL_MECHANISMS])('%s: the right password authenticates as User:<name>', async (mechanism) => {
    for (const [user, pass] of [
      ['alice', 'alice-secret'],
      ['we,ird=name', 'p4ss'],
      ['ünï', 'pässwörd'],
    ] as const) {
      const o = await kafkajsLogin(mechanism, store, user, pass);
      expect(o.principal).toBe(`User:${user}`);
    }
  });

  it.each([...SASL_MECHANISMS])('%s: a wrong password and an unknown user fail with the same message', async (mechanism) => {
    const wrong = await loginFails(mechanism, store, 'alice', 'not-it');
    const unknown = await loginFails(mechanism, store, 'mallory', 'alice-secret');
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.message).toMatch(/authentication failed/i);
  });

  it.each(SCRAMS)('%s: the server-first message carries only r, s, i, and the nonce extends the client nonce', async (mechanism) => {
    const o = await kafkajsLogin(mechanism, store, 'alice', 'alice-secret');
    const [clientFirst, serverFirst, clientFinal, serverFinal] = o.transcript as [string, string, string, string];
    const clientNonce = /,r=([^,]+)$/.exec(clientFirst)?.[1] as string;
    expect(serverFirst).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
    const combined = /^r=([^,]+)/.exec(serverFirst)?.[1] as string;
    expect(combined.startsWith(clientNonce)).toBe(true);
    expect(combined.length).toBeGreaterThan(clientNonce.length);
    expect(clientFinal).toContain(`r=${combined}`);
    expect(serverFinal).toMatch(/^v=/);
  });

  it.each(SCRAMS)('%s: an unknown user sees a stable, real-looking challenge (no user enumeration)', async (mechanism) => {
    const first = (nonce: string): string =>
      createSaslExchange(mechanism, store).step(Buffer.from(`n,,n=ghost,r=${nonce}`)).reply.toString('utf8');
    const a = first('abc');
    const b = first('def');
    expect(a).toMatch(/^r=abc[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
    expect(a.split(',')[1]).toBe(b.split(',')[1]);
  });

  it('the server reports why a login failed, for access records only', () => {
    const failure = (user: string, pass: string): SaslAuthenticationError => {
      try {
        createSaslExchange('PLAIN', store).step(Buffer.from(`\0${user}\0${pass}`));
      } catch (err) {
        return err as SaslAuthenticationError;
      }
      throw new Error('expected failure');
    };
    expect(failure('alice', 'nope').reason).toBe('invalid-credentials');
    expect(failure('ghost', 'nope').reason).toBe('unknown-user');
  });

  it.each(SCRAMS)('%s: rotating the credential (client-computed salted password) swaps old for new password', async (mechanism) => {
    const rotating = new CredentialStore();
    rotating.setPassword('svc', 'old-pass');
    const salt = randomBytes(16);
    rotating.upsertScram('svc', mechanism, 8192, salt, scramHi(mechanism, 'new-pass', salt, 8192));
    await loginFails(mechanism, rotating, 'svc', 'old-pass');
    expect((await kafkajsLogin(mechanism, rotating, 'svc', 'new-pass')).transcript[1]).toContain('i=8192');
    // The other mechanism keeps its own credential.
    const other = mechanism === 'SCRAM-SHA-256' ? 'SCRAM-SHA-512' : 'SCRAM-SHA-256';
    expect((await kafkajsLogin(other, rotating, 'svc', 'old-pass')).principal).toBe('User:svc');
    expect(rotating.deleteScram('svc', mechanism)).toBe(true);
    await loginFails(mechanism, rotating, 'svc', 'new-pass');
  });

  it('PLAIN follows the SCRAM-SHA-256 credential, so rotation applies to PLAIN clients too', async () => {
    const s = new CredentialStore();
    s.setPassword('svc', 'old-pass');
    const salt = randomBytes(16);
    s.upsertScram('svc', 'SCRAM-SHA-256', 4096, salt, scramHi('SCRAM-SHA-256', 'new-pass', salt, 4096));
    await loginFails('PLAIN', s, 'svc', 'old-pass');
    expect((await kafkajsLogin('PLAIN', s, 'svc', 'new-pass')).principal).toBe('User:svc');
  });
});

/** Runs an exchange over raw client messages and returns the error it ended with. */
function failWith(exchange: SaslExchange, ...messages: string[]): SaslAuthenticationError {
  try {
    for (const m of messages) exchange.step(Buffer.from(m, 'utf8'));
  } catch (err) {
    expect(err).toBeInstanceOf(SaslAuthenticationError);
    return err as SaslAuthenticationError;
  }
  throw new Error('exchange did not fail');
}

describe('SASL/PLAIN message handling (RFC 4616)', () => {
  const store = new CredentialStore();
  beforeAll(() => store.setPassword('bob', 'bob-pass'));

  it('accepts an authzid equal to the user', () => {
    const r = createSaslExchange('PLAIN', store).step(Buffer.from('bob\0bob\0bob-pass'));
    expect(r).toMatchObject({ done: true, principal: 'User:bob' });
    expect(r.reply.length).toBe(0);
  });

  it.each([
    ['authzid of another user', 'admin\0bob\0bob-pass', 'invalid-authzid'],
    ['two tokens', 'bob\0bob-pass', 'invalid-encoding'],
    ['four tokens', '\0bob\0bob-pass\0x', 'invalid-encoding'],
    ['empty password', '\0bob\0', 'invalid-encoding'],
    ['empty user', '\0\0bob-pass', 'invalid-encoding'],
    ['wrong password', '\0bob\0bob-pas', 'invalid-credentials'],
  ])('rejects %s', (_label, message, reason) => {
    expect(failWith(createSaslExchange('PLAIN', store), message).reason).toBe(reason);
  });

  it('rejects invalid UTF-8 and a second message', () => {
    const ex = createSaslExchange('PLAIN', store);
    expect(() => ex.step(Buffer.from([0, 0x62, 0, 0xff, 0xfe]))).toThrow(SaslAuthenticationError);
    expect(failWith(createSaslExchange('PLAIN', store), '\0bob\0bob-pass', '\0bob\0bob-pass').reason).toBe('illegal-state');
  });

  it('refuses mechanisms it does not offer', () => {
    expect(() => createSaslExchange('GSSAPI', store)).toThrow(SaslAuthenticationError);
    expect(() => createSaslExchange('scram-sha-256', store)).toThrow(SaslAuthenticationError);
  });
});

describe('SCRAM message handling (RFC 5802)', () => {
  const store = new CredentialStore();
  beforeAll(() => store.setPassword('carol', 'carol-pass'));
  const scram = (): SaslExchange => createSaslExchange('SCRAM-SHA-256', store);

  it.each([
    ['channel binding flag y', 'y,,n=carol,r=abc', 'channel-binding', 'e=server-does-support-channel-binding'],
    ['channel binding p=', 'p=tls-unique,,n=carol,r=abc', 'channel-binding', 'e=channel-binding-not-supported'],
    ['a bogus gs2 flag', 'x,,n=carol,r=abc', 'channel-binding', 'e=invalid-encoding'],
    ['no gs2 header', 'n=carol,r=abc', 'invalid-encoding', 'e=invalid-encoding'],
    ['a mandatory extension', 'n,,m=ext,n=carol,r=abc', 'extensions-not-supported', 'e=extensions-not-supported'],
    ['a missing nonce', 'n,,n=carol', 'invalid-encoding', 'e=invalid-encoding'],
    ['attributes out of order', 'n,,r=abc,n=carol', 'invalid-encoding', 'e=invalid-encoding'],
    ['a bad = escape in the name', 'n,,n=car=41ol,r=abc', 'invalid-encoding', 'e=invalid-username-encoding'],
    ['an authzid of another user', 'n,a=admin,n=carol,r=abc', 'invalid-authzid', 'e=other-error'],
    ['a non-printable nonce', 'n,,n=carol,r=ab\u0001c', 'invalid-nonce', 'e=invalid-encoding'],
    ['garbage', '\u0000\u0001', 'invalid-encoding', 'e=invalid-encoding'],
  ])('rejects a client-first message with %s', (_label, message, reason, reply) => {
    const err = failWith(scram(), message);
    expect(err.reason).toBe(reason);
    expect(err.reply?.toString()).toBe(reply);
  });

  it('accepts an authzid equal to the user, escaped', () => {
    const ex = createSaslExchange('SCRAM-SHA-256', store);
    expect(ex.step(Buffer.from(`n,a=${escapeSaslName('carol')},n=carol,r=abc`)).done).toBe(false);
  });

  /** Client-final variants built on a real server-first reply. */
  const finalFor = (mutate: (combinedNonce: string) => string): SaslAuthenticationError => {
    const ex = scram();
    const serverFirst = ex.step(Buffer.from('n,,n=carol,r=abc')).reply.toString();
    const combined = /^r=([^,]+)/.exec(serverFirst)?.[1] as string;
    return failWith(ex, mutate(combined));
  };
  const proof = Buffer.alloc(32, 1).toString('base64');
  // The server nonce is random: a fixed replacement letter would equal its last one about once in 64 runs.
  const otherThan = (c: string): string => (c === 'Q' ? 'R' : 'Q');

  it.each([
    ['a channel binding that is not the gs2 header', (r: string) => `c=eSws,r=${r},p=${proof}`, 'channel-binding', 'e=channel-bindings-dont-match'],
    ['a different nonce', (r: string) => `c=biws,r=${r}x,p=${proof}`, 'invalid-nonce', 'e=other-error'],
    // librdkafka < 2.6.1 echoes the client nonce in front of the combined one; nothing else may precede it.
    ['another prefix before the combined nonce', (r: string) => `c=biws,r=xyz${r},p=${proof}`, 'invalid-nonce', 'e=other-error'],
    ['the client nonce twice and a wrong server part', (r: string) => `c=biws,r=abc${r.slice(0, -1)}${otherThan(r.slice(-1))},p=${proof}`, 'invalid-nonce', 'e=other-error'],
    ['a proof of the wrong length', (r: string) => `c=biws,r=${r},p=AAAA`, 'invalid-encoding', 'e=invalid-encoding'],
    ['no proof', (r: string) => `c=biws,r=${r}`, 'invalid-encoding', 'e=invalid-encoding'],
    ['a wrong proof', (r: string) => `c=biws,r=${r},p=${proof}`, 'invalid-credentials', 'e=invalid-proof'],
  ])('rejects a client-final message with %s', (_label, build, reason, reply) => {
    const err = finalFor(build);
    expect(err.reason).toBe(reason);
    expect(err.reply?.toString()).toBe(reply);
  });

  it('logs in librdkafka 2.0 (client nonce echoed twice, librdkafka#4895) when the proof is right', () => {
    const ex = scram();
    const serverFirst = ex.step(Buffer.from('n,,n=carol,r=abc')).reply.toString();
    const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
    const withoutProof = `c=biws,r=abc${attrs.r as string}`;
    const salted = scramHi('SCRAM-SHA-256', 'carol-pass', Buffer.from(attrs.s as string, 'base64'), Number(attrs.i));
    const proofBytes = scramClientProof('SCRAM-SHA-256', salted, scramAuthMessage('n=carol,r=abc', serverFirst, withoutProof));
    const step = ex.step(Buffer.from(`${withoutProof},p=${proofBytes.toString('base64')}`));
    expect(step).toMatchObject({ done: true, principal: 'User:carol' });
    expect(step.reply.toString()).toMatch(/^v=/);
  });

  it('refuses to continue after failing or finishing', () => {
    const ex = scram();
    failWith(ex, 'y,,n=carol,r=abc');
    expect(() => ex.step(Buffer.from('n,,n=carol,r=abc'))).toThrow(SaslAuthenticationError);
  });
});
