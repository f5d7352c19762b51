import { describe, expect, it } from 'vitest';
import { SaslAuthenticationError } from '../../../src/sandbox/kafka/security';
import { OAuthBearerServerExchange, validateBearerToken } from '../../../src/sandbox/kafka/security/oauthbearer';
import { signJwt } from '../../support/oauth-server';

const KEY = 'unit-test-hmac-key-0123456789abcdef';
const NOW = Date.UTC(2026, 5, 1);
const s = NOW / 1000;

describe('sandbox OAUTHBEARER token validation', () => {
  const rules = { hmacKey: KEY, audience: 'kafka', issuer: 'https://idp.test' };
  const good = { sub: 'svc', aud: 'kafka', iss: 'https://idp.test', exp: s + 60 };
  it.each([
    ['accepted', signJwt(good, KEY), { sub: 'svc' }],
    ['audience list', signJwt({ ...good, aud: ['other', 'kafka'] }, KEY), { sub: 'svc' }],
    ['expired at the second', signJwt({ ...good, exp: s }, KEY), { refused: 'expired' }],
    ['not yet valid', signJwt({ ...good, nbf: s + 5 }, KEY), { refused: 'not yet valid' }],
    ['no exp', signJwt({ ...good, exp: undefined }, KEY), { refused: 'no exp claim' }],
    ['no sub', signJwt({ ...good, sub: '' }, KEY), { refused: 'no sub claim' }],
    ['wrong issuer', signJwt({ ...good, iss: 'https://evil.test' }, KEY), { refused: 'wrong issuer' }],
    ['tampered claims', `${signJwt(good, KEY).split('.')[0]}.${Buffer.from(JSON.stringify({ ...good, sub: 'admin' })).toString('base64url')}.${signJwt(good, KEY).split('.')[2]}`, { refused: 'bad signature' }],
    ['unsupported alg', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}.x`, { refused: 'unsupported alg RS256' }],
    ['not a JWT', 'opaque-token', { refused: 'not a compact JWT' }],
    ['unsigned', signJwt(good, undefined), { refused: 'unsecured tokens are not accepted' }],
  ])('%s', (_name, token, want) => {
    expect(validateBearerToken(token, rules, NOW)).toEqual(want);
  });

  it('accepts unsigned tokens only when told to, and never with a signature part', () => {
    expect(validateBearerToken(signJwt({ sub: 'dev', exp: s + 60 }, undefined), { allowUnsecured: true }, NOW)).toEqual({ sub: 'dev' });
    expect(validateBearerToken(`${signJwt({ sub: 'dev', exp: s + 60 }, undefined)}sig`, { allowUnsecured: true }, NOW)).toEqual({ refused: 'an unsecured token carries no signature' });
  });
});

describe('sandbox OAUTHBEARER exchange (RFC 7628 framing)', () => {
  const token = signJwt({ sub: 'svc', exp: s + 60 }, KEY);
  const exchange = (): OAuthBearerServerExchange => new OAuthBearerServerExchange({ hmacKey: KEY }, () => NOW);
  const msg = (text: string): Buffer => Buffer.from(text, 'utf8');

  it('authenticates the token subject, with or without a matching authzid and extensions', () => {
    expect(exchange().step(msg(`n,,\x01auth=Bearer ${token}\x01\x01`))).toMatchObject({ done: true, principal: 'User:svc' });
    expect(exchange().step(msg(`n,a=svc,\x01auth=Bearer ${token}\x01traceId=1\x01\x01`))).toMatchObject({ principal: 'User:svc' });
  });

  it.each([
    ['authzid of someone else', `n,a=admin,\x01auth=Bearer ${token}\x01\x01`, 'invalid-authzid'],
    ['no closing separators', `n,,\x01auth=Bearer ${token}`, 'invalid-encoding'],
    ['channel binding flag', `y,,\x01auth=Bearer ${token}\x01\x01`, 'invalid-encoding'],
    ['no bearer', 'n,,\x01auth=Basic abc\x01\x01', 'invalid-encoding'],
  ])('refuses %s with the RFC error reply', (_name, text, reason) => {
    let err: unknown;
    try {
      exchange().step(msg(text));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaslAuthenticationError);
    expect((err as SaslAuthenticationError).reason).toBe(reason);
    expect(JSON.parse((err as SaslAuthenticationError).reply?.toString() ?? '')).toEqual({ status: 'invalid_token' });
  });
});
