import {
  ApiKey,
  decodeApiVersions,
  decodeSaslAuthenticate,
  decodeSaslHandshake,
  encodeSaslAuthenticate,
  encodeSaslHandshake,
} from './codecs';
import type { BrokerConnection } from './connection';
import { AdminErrorCode, KafkaAdminError } from './errors';
import { SASL_MECHANISM_NAMES, SaslClientError, createSaslClient, type SaslMechanismName } from './sasl-client';

/** The versions a broker supports, by API key. */
export type ApiVersionRanges = ReadonlyMap<number, { min: number; max: number }>;

/** Credentials for {@link authenticate}: the same mechanisms as the rest of the project's clients. */
export interface SaslLogin {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';
  username: string;
  /** A credential: never logged. */
  password: string;
  /** The current OAUTHBEARER token (required for that mechanism). */
  oauthBearer?: () => Promise<string>;
}

const MECHANISM_NAMES: Readonly<Record<SaslLogin['mechanism'], SaslMechanismName>> = SASL_MECHANISM_NAMES;

/** The current OAUTHBEARER token, or a clear error when no source was configured. */
async function requireToken(source: (() => Promise<string>) | undefined): Promise<string> {
  if (!source) throw new TypeError('SASL OAUTHBEARER needs a token source (oauthBearer)');
  return source();
}

/**
 * Logs a fresh raw connection in: ApiVersions v0, SaslHandshake v1, then SaslAuthenticate v0 round
 * trips until the mechanism is done. Returns the broker's API version ranges so the caller can check
 * the APIs it speaks. Shared by every raw-protocol client (SCRAM admin, direct fetch reader), so the
 * login exists once.
 */
export async function authenticate(conn: BrokerConnection, login: SaslLogin): Promise<ApiVersionRanges> {
  const versions = decodeApiVersions(await conn.request(ApiKey.ApiVersions, 0, false, () => undefined));
  if (versions.errorCode !== AdminErrorCode.NONE) throw new KafkaAdminError(`ApiVersions failed on ${conn.address}`, versions.errorCode);
  for (const [key, name] of [[ApiKey.SaslHandshake, 'SaslHandshake'], [ApiKey.SaslAuthenticate, 'SaslAuthenticate']] as const) {
    if (!supports(versions.apis, key, key === ApiKey.SaslHandshake ? 1 : 0)) {
      throw new KafkaAdminError(`broker ${conn.address} does not support ${name} at the version this client speaks`, AdminErrorCode.UNSUPPORTED_VERSION);
    }
  }
  const mechanism = MECHANISM_NAMES[login.mechanism];
  if (mechanism === undefined) throw new TypeError(`unsupported SASL mechanism ${String(login.mechanism)}`);
  const hs = decodeSaslHandshake(await conn.request(ApiKey.SaslHandshake, 1, false, (w) => encodeSaslHandshake(w, mechanism)));
  if (hs.errorCode !== AdminErrorCode.NONE) {
    throw new KafkaAdminError(`broker ${conn.address} does not enable SASL ${mechanism} (it offers ${hs.mechanisms.join(', ') || 'none'})`, hs.errorCode);
  }
  const secret = mechanism === 'OAUTHBEARER' ? await requireToken(login.oauthBearer) : login.password;
  const client = createSaslClient(mechanism, login.username, secret);
  let message: Buffer | undefined = client.start();
  while (message) {
    const toSend: Buffer = message;
    const res = decodeSaslAuthenticate(await conn.request(ApiKey.SaslAuthenticate, 0, false, (w) => encodeSaslAuthenticate(w, toSend)));
    if (res.errorCode !== AdminErrorCode.NONE) {
      throw new KafkaAdminError(`SASL ${mechanism} authentication failed: ${res.errorMessage ?? 'no message'}`, res.errorCode);
    }
    try {
      message = await client.next(res.authBytes);
    } catch (err) {
      if (err instanceof SaslClientError) {
        throw new KafkaAdminError(`SASL ${mechanism} authentication failed: ${err.message}`, AdminErrorCode.SASL_AUTHENTICATION_FAILED);
      }
      throw err;
    }
  }
  return versions.apis;
}

/** Whether the broker speaks `version` of `apiKey`. */
export function supports(apis: ApiVersionRanges, apiKey: number, version: number): boolean {
  const range = apis.get(apiKey);
  return range !== undefined && range.min <= version && range.max >= version;
}

/** `host:port` (IPv6 in brackets allowed) split into its parts. */
export function parseBroker(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim());
  if (!m) throw new TypeError(`broker address must be host:port, got ${JSON.stringify(address)}`);
  return { host: m[1] as string, port: Number(m[2]) };
}
