import { createHmac, randomBytes } from 'node:crypto';
import {
  decodeBase64Strict,
  isScramMechanism,
  isValidScramNonce,
  parseScramAttributes,
  scramAuthMessage,
  scramKeyLength,
  scramNonce,
  scramServerSignature,
  unescapeSaslName,
  verifyScramClientProof,
  type ScramMechanism,
} from '../../../kafka/scram-math';
import { DEFAULT_SCRAM_ITERATIONS, type CredentialStore } from './credentials';
import { OAuthBearerServerExchange, type OAuthBearerValidation } from './oauthbearer';

/** Mechanisms the sandbox broker lists in its SaslHandshake response. */
export const SASL_MECHANISMS: readonly string[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** One SASL conversation on one connection, fed the `auth_bytes` of each SaslAuthenticate. */
export interface SaslExchange {
  /** Feeds one client message; returns the server's reply. Throws {@link SaslAuthenticationError}. */
  step(client: Buffer): { done: false; reply: Buffer } | { done: true; reply: Buffer; principal: string };
}

/**
 * Authentication failed. The broker answers SASL_AUTHENTICATION_FAILED (58) with `message` as
 * `error_message` (and `reply` as `auth_bytes` when set), then closes the connection.
 */
export class SaslAuthenticationError extends Error {
  override readonly name = 'SaslAuthenticationError';
  constructor(
    message: string,
    /**
     * Why, for the broker's access records and logs only; never sent to the client, which sees the
     * same message for an unknown user and a wrong password.
     */
    readonly reason: SaslFailureReason,
    /** Mechanism-level error reply (SCRAM `e=…`), when the mechanism defines one. */
    readonly reply?: Buffer,
  ) {
    super(message);
  }
}

/** Machine-readable cause of a {@link SaslAuthenticationError}. */
export type SaslFailureReason =
  | 'unsupported-mechanism'
  | 'unknown-user'
  | 'invalid-credentials'
  | 'invalid-encoding'
  | 'invalid-authzid'
  | 'channel-binding'
  | 'extensions-not-supported'
  | 'invalid-nonce'
  | 'illegal-state'
  | 'invalid-token';

/** Client messages beyond this are refused before parsing: real ones are a few hundred bytes. */
const MAX_CLIENT_MESSAGE = 8 * 1024;

/** Test seams of {@link createSaslExchange}. */
export interface SaslExchangeOptions {
  /** Server part of the SCRAM nonce; fixed only to replay published test vectors. @default random */
  serverNonce?: () => string;
  /** OAUTHBEARER validation; without it the mechanism is not offered. */
  oauthBearer?: OAuthBearerValidation;
  /** Clock for token expiry. @default Date.now */
  now?: () => number;
}

/** Creates the server side of `mechanism` (as named in SaslHandshake, upper case) over `store`. */
export function createSaslExchange(mechanism: string, store: CredentialStore, options: SaslExchangeOptions = {}): SaslExchange {
  if (mechanism === 'PLAIN') return new PlainExchange(store);
  if (isScramMechanism(mechanism)) return new ScramServerExchange(mechanism, store, options.serverNonce ?? scramNonce);
  if (mechanism === 'OAUTHBEARER' && options.oauthBearer) return new OAuthBearerServerExchange(options.oauthBearer, options.now ?? Date.now);
  throw new SaslAuthenticationError(`Unsupported SASL mechanism ${mechanism}`, 'unsupported-mechanism');
}

/** Decodes UTF-8 strictly: a malformed sequence is an encoding error, not a replacement char. */
function decodeUtf8(client: Buffer): string | undefined {
  if (client.length > MAX_CLIENT_MESSAGE) return undefined;
  const text = client.toString('utf8');
  return Buffer.byteLength(text, 'utf8') === client.length && Buffer.from(text, 'utf8').equals(client) ? text : undefined;
}

/** RFC 4616: a single `authzid NUL authcid NUL passwd` message. */
class PlainExchange implements SaslExchange {
  private finished = false;

  constructor(private readonly store: CredentialStore) {}

  step(client: Buffer): { done: true; reply: Buffer; principal: string } {
    if (this.finished) throw new SaslAuthenticationError('Unexpected SASL/PLAIN message after completion', 'illegal-state');
    this.finished = true;
    const text = decodeUtf8(client);
    const parts = text?.split('\0');
    if (!parts || parts.length !== 3) {
      throw new SaslAuthenticationError('Invalid SASL/PLAIN response: expected 3 tokens', 'invalid-encoding');
    }
    const [authzid, user, password] = parts as [string, string, string];
    if (user.length === 0 || password.length === 0) {
      throw new SaslAuthenticationError('Authentication failed: username or password not specified', 'invalid-encoding');
    }
    if (authzid.length > 0 && authzid !== user) {
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
        'invalid-authzid',
      );
    }
    if (!this.store.verifyPassword(user, password)) {
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password', this.store.has(user) ? 'invalid-credentials' : 'unknown-user');
    }
    return { done: true, reply: Buffer.alloc(0), principal: `User:${user}` };
  }
}

/** Keyed so that a probe for a missing user always sees the same fake salt, like a real user. */
const FAKE_SALT_KEY = randomBytes(32);

interface ScramFirstState {
  readonly user: string;
  readonly gs2Header: string;
  readonly clientFirstBare: string;
  readonly serverFirst: string;
  readonly nonce: string;
  /** The client part alone, to recognise the form older librdkafka echoes. */
  readonly clientNonce: string;
  readonly known: boolean;
}

/** RFC 5802 / RFC 7677 server: client-first → server-first, client-final → server-final. */
class ScramServerExchange implements SaslExchange {
  private state: 'first' | 'final' | 'done' = 'first';
  private first: ScramFirstState | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly store: CredentialStore,
    private readonly serverNonce: () => string,
  ) {}

  step(client: Buffer): { done: false; reply: Buffer } | { done: true; reply: Buffer; principal: string } {
    if (this.state === 'first') {
      this.state = 'final';
      return { done: false, reply: Buffer.from(this.receiveFirst(client), 'utf8') };
    }
    if (this.state === 'final') {
      this.state = 'done';
      return this.receiveFinal(client);
    }
    throw this.fail('Unexpected SCRAM message after completion', 'illegal-state', 'other-error');
  }

  /** Kafka's wording, identical for an unknown user and a wrong password. */
  private get invalidCredentialsMessage(): string {
    return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`;
  }

  private fail(message: string, reason: SaslFailureReason, serverError: string): SaslAuthenticationError {
    this.state = 'done';
    return new SaslAuthenticationError(message, reason, Buffer.from(`e=${serverError}`, 'utf8'));
  }

  private receiveFirst(client: Buffer): string {
    const text = decodeUtf8(client);
    if (text === undefined) throw this.fail('Invalid SCRAM client first message encoding', 'invalid-encoding', 'invalid-encoding');
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    const firstComma = text.indexOf(',');
    const secondComma = firstComma < 0 ? -1 : text.indexOf(',', firstComma + 1);
    if (secondComma < 0) throw this.fail('Invalid SCRAM client first message', 'invalid-encoding', 'invalid-encoding');
    const cbFlag = text.slice(0, firstComma);
    const authzPart = text.slice(firstComma + 1, secondComma);
    const gs2Header = text.slice(0, secondComma + 1);
    const bare = text.slice(secondComma + 1);
    if (cbFlag !== 'n') {
      // The sandbox (like Kafka) offers no channel binding, so only "n" is coherent.
      const code = cbFlag.startsWith('p=') ? 'channel-binding-not-supported' : cbFlag === 'y' ? 'server-does-support-channel-binding' : 'invalid-encoding';
      throw this.fail(`SCRAM channel binding flag ${JSON.stringify(cbFlag)} is not supported`, 'channel-binding', code);
    }
    let authzid: string | undefined;
    if (authzPart !== '') {
      if (!authzPart.startsWith('a=')) throw this.fail('Invalid SCRAM authorization identity', 'invalid-encoding', 'invalid-encoding');
      authzid = unescapeSaslName(authzPart.slice(2));
      if (authzid === undefined) throw this.fail('Invalid SCRAM authorization identity encoding', 'invalid-encoding', 'invalid-username-encoding');
    }
    const attrs = parseScramAttributes(bare);
    if (!attrs) throw this.fail('Invalid SCRAM client first message', 'invalid-encoding', 'invalid-encoding');
    if (attrs[0]?.[0] === 'm') throw this.fail('SCRAM mandatory extensions are not supported', 'extensions-not-supported', 'extensions-not-supported');
    const [n, r] = attrs;
    if (n?.[0] !== 'n' || r?.[0] !== 'r') throw this.fail('Invalid SCRAM client first message', 'invalid-encoding', 'invalid-encoding');
    const user = unescapeSaslName(n[1]);
    if (user === undefined || user.length === 0) {
      throw this.fail('Invalid SCRAM username encoding', 'invalid-encoding', 'invalid-username-encoding');
    }
    if (authzid !== undefined && authzid !== user) {
      throw this.fail('Authentication failed: Client requested an authorization id that is different from username', 'invalid-authzid', 'other-error');
    }
    const clientNonce = r[1];
    if (!isValidScramNonce(clientNonce)) throw this.fail('Invalid SCRAM client nonce', 'invalid-nonce', 'invalid-encoding');

    const cred = this.store.lookup(user, this.mechanism);
    const salt = cred?.salt ?? createHmac('sha256', FAKE_SALT_KEY).update(`${this.mechanism}\0${user}`).digest().subarray(0, 16);
    const iterations = cred?.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    const nonce = clientNonce + this.serverNonce();
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.first = { user, gs2Header, clientFirstBare: bare, serverFirst, nonce, clientNonce, known: cred !== undefined };
    return serverFirst;
  }

  private receiveFinal(client: Buffer): { done: true; reply: Buffer; principal: string } {
    const first = this.first as ScramFirstState;
    const text = decodeUtf8(client);
    const attrs = text === undefined ? undefined : parseScramAttributes(text);
    const proofAttr = attrs?.[attrs.length - 1];
    if (!text || !attrs || attrs.length < 3 || attrs[0]?.[0] !== 'c' || attrs[1]?.[0] !== 'r' || proofAttr?.[0] !== 'p') {
      throw this.fail('Invalid SCRAM client final message', 'invalid-encoding', 'invalid-encoding');
    }
    const binding = decodeBase64Strict(attrs[0][1]);
    if (!binding || !binding.equals(Buffer.from(first.gs2Header, 'utf8'))) {
      throw this.fail('SCRAM channel binding does not match the client first message', 'channel-binding', 'channel-bindings-dont-match');
    }
    // librdkafka before 2.6.1 sends the client nonce a second time in front of the combined nonce
    // (librdkafka#4895); Kafka 3.8.1–3.9 accept it (nonce check by suffix), so librdkafka 2.0.x
    // from the Debian archive still logs in. Any other nonce is refused: the server part must match.
    const echoed = attrs[1][1];
    if (echoed !== first.nonce && echoed !== first.clientNonce + first.nonce) throw this.fail('Invalid SCRAM nonce in the client final message', 'invalid-nonce', 'other-error');
    const proof = decodeBase64Strict(proofAttr[1]);
    if (!proof || proof.length !== scramKeyLength(this.mechanism)) {
      throw this.fail('Invalid SCRAM client proof', 'invalid-encoding', 'invalid-encoding');
    }
    const withoutProof = text.slice(0, text.length - proofAttr[1].length - 3);
    const authMessage = scramAuthMessage(first.clientFirstBare, first.serverFirst, withoutProof);
    // Re-read the store: a credential deleted or rotated between the two messages must not pass.
    const cred = this.store.lookup(first.user, this.mechanism);
    const storedKey = cred?.storedKey ?? Buffer.alloc(scramKeyLength(this.mechanism));
    const valid = verifyScramClientProof(this.mechanism, storedKey, authMessage, proof);
    if (!cred || !first.known || !valid) {
      throw this.fail(this.invalidCredentialsMessage, cred && first.known ? 'invalid-credentials' : 'unknown-user', 'invalid-proof');
    }
    const signature = scramServerSignature(this.mechanism, cred.serverKey, authMessage);
    return { done: true, reply: Buffer.from(`v=${signature.toString('base64')}`, 'utf8'), principal: `User:${first.user}` };
  }
}
