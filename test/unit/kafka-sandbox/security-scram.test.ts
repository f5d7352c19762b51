import { describe, expect, it } from 'vitest';
import {
  decodeBase64Strict,
  escapeSaslName,
  parseScramAttributes,
  scramAuthMessage,
  scramClientProof,
  scramHi,
  scramMechanismCode,
  scramMechanismFromCode,
  scramServerSignature,
  deriveScramKeys,
  unescapeSaslName,
  verifyScramClientProof,
  xorBuffers,
} from '../../../src/kafka/scram-math';
import {
  CredentialStore,
  ScramCredentialError,
  alterScramCredentials,
  createSaslExchange,
  describeScramCredentials,
} from '../../../src/sandbox/kafka/security';

// RFC 7677 §3: the SCRAM-SHA-256 example exchange for user "user", password "pencil".
const RFC7677 = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

describe('SCRAM math (RFC 7677 test vector)', () => {
  const salted = scramHi('SCRAM-SHA-256', 'pencil', salt, 4096);
  const authMessage = scramAuthMessage('n=user,r=rOprNGfwEbeRWgbNEkqO', RFC7677.serverFirst, RFC7677.clientFinal.replace(/,p=.*$/, ''));

  it('computes the published client proof and server signature', () => {
    expect(`p=${scramClientProof('SCRAM-SHA-256', salted, authMessage).toString('base64')}`).toBe(/,(p=.*)$/.exec(RFC7677.clientFinal)?.[1]);
    const { serverKey, storedKey } = deriveScramKeys('SCRAM-SHA-256', salted);
    expect(`v=${scramServerSignature('SCRAM-SHA-256', serverKey, authMessage).toString('base64')}`).toBe(RFC7677.serverFinal);
    const proof = scramClientProof('SCRAM-SHA-256', salted, authMessage);
    expect(verifyScramClientProof('SCRAM-SHA-256', storedKey, authMessage, proof)).toBe(true);
    proof[0] = (proof[0] as number) ^ 1;
    expect(verifyScramClientProof('SCRAM-SHA-256', storedKey, authMessage, proof)).toBe(false);
  });

  it('the sandbox server replays the RFC exchange byte for byte', () => {
    const store = new CredentialStore();
    store.upsertScram('user', 'SCRAM-SHA-256', 4096, salt, salted);
    const ex = createSaslExchange('SCRAM-SHA-256', store, { serverNonce: () => RFC7677.serverNonce });
    expect(ex.step(Buffer.from(RFC7677.clientFirst)).reply.toString()).toBe(RFC7677.serverFirst);
    expect(ex.step(Buffer.from(RFC7677.clientFinal))).toEqual({ done: true, reply: Buffer.from(RFC7677.serverFinal), principal: 'User:user' });
  });

  it.each([
    ['a,b=c', 'a=2Cb=3Dc'],
    ['plain', 'plain'],
    ['==', '=3D=3D'],
  ])('escapes %j as %j and back', (raw, escaped) => {
    expect(escapeSaslName(raw)).toBe(escaped);
    expect(unescapeSaslName(escaped)).toBe(raw);
  });

  it.each(['=', 'a=2', 'a=41', 'x=2c'])('refuses the bad escape %j', (bad) => {
    expect(unescapeSaslName(bad)).toBeUndefined();
  });

  it('parses attributes strictly', () => {
    expect(parseScramAttributes('r=a,s=b=,i=1')).toEqual([['r', 'a'], ['s', 'b='], ['i', '1']]);
    expect(parseScramAttributes('r=a,,i=1')).toBeUndefined();
    expect(parseScramAttributes('rr=a')).toBeUndefined();
    expect(decodeBase64Strict('biws')?.toString()).toBe('n,,');
    expect(decodeBase64Strict('bi ws')).toBeUndefined();
    expect(() => xorBuffers(Buffer.alloc(2), Buffer.alloc(3))).toThrow(RangeError);
  });

  it('maps KIP-554 mechanism codes', () => {
    expect(scramMechanismCode('SCRAM-SHA-256')).toBe(1);
    expect(scramMechanismCode('SCRAM-SHA-512')).toBe(2);
    expect(scramMechanismFromCode(2)).toBe('SCRAM-SHA-512');
    expect(scramMechanismFromCode(0)).toBeUndefined();
    expect(scramMechanismFromCode(3)).toBeUndefined();
  });
});

describe('CredentialStore', () => {
  it('describes mechanisms and iterations only, and persists without secrets', () => {
    const store = new CredentialStore();
    let changes = 0;
    store.onChange(() => changes++);
    store.setPassword('zed', 'zed-pass');
    store.upsertScram('amy', 'SCRAM-SHA-512', 16384, Buffer.from('salt'), scramHi('SCRAM-SHA-512', 'amy-pass', Buffer.from('salt'), 16384));
    expect(changes).toBe(2);
    expect(store.describe()).toEqual([
      { user: 'amy', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 16384 }] },
      { user: 'zed', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }, { mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
    ]);
    expect(store.describe(['ghost', 'amy', 'amy']).map((d) => d.user)).toEqual(['amy']);
    const json = JSON.stringify(store.toJSON());
    expect(json).not.toContain('zed-pass');
    expect(json).not.toContain('amy-pass');
    const restored = CredentialStore.fromJSON(JSON.parse(json));
    expect(restored.describe()).toEqual(store.describe());
    expect(restored.verifyPassword('zed', 'zed-pass')).toBe(true);
    expect(restored.verifyPassword('zed', 'zed-pas')).toBe(false);
    expect(restored.verifyPassword('amy', 'amy-pass')).toBe(true);
    expect(() => CredentialStore.fromJSON({ version: 2 })).toThrow();
  });

  it('deletes credentials one mechanism at a time and forgets users with none left', () => {
    const store = new CredentialStore();
    store.setPassword('u', 'p');
    expect(store.deleteScram('u', 'SCRAM-SHA-256')).toBe(true);
    expect(store.deleteScram('u', 'SCRAM-SHA-256')).toBe(false);
    expect(store.has('u')).toBe(true);
    expect(store.deleteScram('u', 'SCRAM-SHA-512')).toBe(true);
    expect(store.has('u')).toBe(false);
    expect(store.verifyPassword('u', 'p')).toBe(false);
  });

  it.each([
    ['too few iterations', 'u', 4095, 93],
    ['too many iterations', 'u', 16385, 93],
    ['an empty user', '', 4096, 93],
  ])('refuses %s with the Kafka error code', (_label, user, iterations, code) => {
    const store = new CredentialStore();
    let err: unknown;
    try {
      store.upsertScram(user, 'SCRAM-SHA-256', iterations, Buffer.from('s'), Buffer.alloc(32));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScramCredentialError);
    expect((err as ScramCredentialError).code).toBe(code);
    expect(store.describe()).toEqual([]);
  });
});

describe('Describe/AlterUserScramCredentials semantics', () => {
  const up = (name: string, mechanism: number, iterations = 4096) => ({
    name,
    mechanism,
    iterations,
    salt: Buffer.from('salt'),
    saltedPassword: Buffer.alloc(32, 7),
  });

  it('applies valid users and rejects each invalid user whole, with Kafka error codes', () => {
    const store = new CredentialStore();
    store.setPassword('existing', 'x');
    const results = alterScramCredentials(store, {
      deletions: [{ name: 'existing', mechanism: 2 }, { name: 'nobody', mechanism: 1 }],
      upsertions: [
        up('fresh', 1, 8192),
        up('fresh', 2),
        up('twice', 1),
        up('twice', 1),
        up('weak', 1, 1000),
        up('strong', 2, 20000),
        up('', 1),
        up('weird', 3),
        up('nobody', 2),
      ],
    });
    expect(results.map((r) => [r.user, r.errorCode])).toEqual([
      ['existing', 0],
      ['nobody', 91],
      ['fresh', 0],
      ['twice', 92],
      ['weak', 93],
      ['strong', 93],
      ['', 93],
      ['weird', 33],
    ]);
    expect(store.describe().map((d) => [d.user, d.credentials.map((c) => `${c.mechanism}/${c.iterations}`)])).toEqual([
      ['existing', ['SCRAM-SHA-256/4096']],
      ['fresh', ['SCRAM-SHA-256/8192', 'SCRAM-SHA-512/4096']],
    ]);
  });

  it('describes all users, named users, unknown and duplicate names', () => {
    const store = new CredentialStore();
    store.setPassword('a', 'x');
    store.setPassword('b', 'y');
    expect(describeScramCredentials(store, null).map((r) => r.user)).toEqual(['a', 'b']);
    expect(describeScramCredentials(store, []).map((r) => r.user)).toEqual(['a', 'b']);
    expect(describeScramCredentials(store, ['b', 'ghost', 'a', 'a'])).toEqual([
      { user: 'b', errorCode: 0, errorMessage: null, credentials: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 4096 }] },
      { user: 'ghost', errorCode: 91, errorMessage: expect.any(String), credentials: [] },
      { user: 'a', errorCode: 92, errorMessage: expect.any(String), credentials: [] },
    ]);
  });
});
