import {
  SCRAM_MIN_ITERATIONS,
  constantTimeEqual,
  decodeBase64Strict,
  escapeSaslName,
  parseScramAttributes,
  scramAuthMessage,
  scramClientProof,
  scramHiAsync,
  scramNonce,
  deriveScramKeys,
  scramServerSignature,
  type ScramMechanism,
} from '../scram-math';

/**
 * Client side of SASL for the admin connection: PLAIN (RFC 4616) and SCRAM (RFC 5802/7677).
 * Each step takes the server's last reply and returns the next client message, or `undefined`
 * when the exchange is complete. Problems throw {@link SaslClientError}, whose message never
 * contains the password or anything derived from it.
 */
export interface SaslClient {
  /** The first client message. */
  start(): Buffer;
  /** Next client message for a server reply; `undefined` once authenticated. */
  next(serverReply: Buffer): Promise<Buffer | undefined>;
}

/** The server's replies did not add up (bad nonce, weak iterations, wrong server signature, `e=`). */
export class SaslClientError extends Error {
  override readonly name = 'SaslClientError';
}

/** Upper-case mechanism names as sent in SaslHandshake. */
export type SaslMechanismName = 'PLAIN' | ScramMechanism | 'OAUTHBEARER';

/**
 * Creates the client exchange for a mechanism. For OAUTHBEARER `secret` is the bearer token and
 * `username` is not sent (the token names the principal).
 */
export function createSaslClient(mechanism: SaslMechanismName, username: string, secret: string): SaslClient {
  if (mechanism === 'OAUTHBEARER') return new OAuthBearerClient(secret);
  return mechanism === 'PLAIN' ? new PlainClient(username, secret) : new ScramClient(mechanism, username, secret);
}

/** kafkajs' mechanism spelling → the SaslHandshake name. */
export const SASL_MECHANISM_NAMES: Readonly<Record<'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer', SaslMechanismName>> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
  oauthbearer: 'OAUTHBEARER',
};

/**
 * RFC 7628 client: one initial response, GS2 header without authzid, `auth=Bearer <token>`. A
 * server that refuses answers an error JSON as a challenge; the client then sends the lone
 * separator the RFC asks for, and the server fails the exchange.
 */
class OAuthBearerClient implements SaslClient {
  private refused = false;

  constructor(private readonly token: string) {}

  start(): Buffer {
    return Buffer.from(`n,,\x01auth=Bearer ${this.token}\x01\x01`, 'utf8');
  }

  async next(serverReply: Buffer): Promise<Buffer | undefined> {
    if (serverReply.length === 0) return undefined;
    if (this.refused) throw new SaslClientError('unexpected OAUTHBEARER message after a refusal');
    this.refused = true;
    return Buffer.from('\x01', 'utf8');
  }
}

class PlainClient implements SaslClient {
  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  start(): Buffer {
    return Buffer.from(`\0${this.username}\0${this.password}`, 'utf8');
  }

  async next(): Promise<undefined> {
    return undefined;
  }
}

class ScramClient implements SaslClient {
  private readonly clientNonce = scramNonce();
  private readonly clientFirstBare: string;
  private expected: { serverKey: Buffer; authMessage: string } | undefined;
  private finished = false;

  constructor(
    private readonly mechanism: ScramMechanism,
    username: string,
    private readonly password: string,
  ) {
    this.clientFirstBare = `n=${escapeSaslName(username)},r=${this.clientNonce}`;
  }

  start(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  async next(serverReply: Buffer): Promise<Buffer | undefined> {
    if (this.finished) throw new SaslClientError('unexpected SCRAM message after completion');
    if (!this.expected) return this.answerServerFirst(serverReply.toString('utf8'));
    this.finished = true;
    this.checkServerFinal(serverReply.toString('utf8'));
    return undefined;
  }

  private async answerServerFirst(serverFirst: string): Promise<Buffer> {
    const attrs = new Map(parseScramAttributes(serverFirst) ?? []);
    const error = attrs.get('e');
    if (error !== undefined) throw new SaslClientError(`server refused: ${error}`);
    const nonce = attrs.get('r');
    const salt = decodeBase64Strict(attrs.get('s') ?? '');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw new SaslClientError('invalid server nonce: it does not extend the client nonce');
    }
    if (!salt || salt.length === 0) throw new SaslClientError('invalid salt in the server first message');
    // A low count would let an impostor make our proof cheap to brute-force.
    if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS) {
      throw new SaslClientError(`server asked for ${attrs.get('i') ?? 'no'} iterations; the minimum is ${SCRAM_MIN_ITERATIONS}`);
    }
    const salted = await scramHiAsync(this.mechanism, this.password, salt, iterations);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = scramAuthMessage(this.clientFirstBare, serverFirst, withoutProof);
    const proof = scramClientProof(this.mechanism, salted, authMessage);
    this.expected = { serverKey: deriveScramKeys(this.mechanism, salted).serverKey, authMessage };
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  private checkServerFinal(serverFinal: string): void {
    const attrs = new Map(parseScramAttributes(serverFinal) ?? []);
    const error = attrs.get('e');
    if (error !== undefined) throw new SaslClientError(`server refused: ${error}`);
    const signature = decodeBase64Strict(attrs.get('v') ?? '');
    const { serverKey, authMessage } = this.expected as { serverKey: Buffer; authMessage: string };
    const want = scramServerSignature(this.mechanism, serverKey, authMessage);
    // Proves the broker knows our credential, i.e. we are not talking to an impostor.
    if (!signature || !constantTimeEqual(signature, want)) throw new SaslClientError('invalid server signature in the server final message');
  }
}
