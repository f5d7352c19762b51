import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config/config';
import type { KafkaConnection, KafkaTls } from '../kafka/client';
import { createOAuthTokenSource } from '../kafka/oauth-token';
import { fileSecret, type VaultAuth } from '../vault/auth';

/**
 * Turns the secured-connection settings (file names, methods) into what the clients take: PEM
 * contents, an OAUTHBEARER token source, a Vault auth method. Files are read here, once, at start;
 * `loadConfig` has already checked that each is readable, naming its variable when not. Secrets
 * that rotate (AppRole secret_id, service-account JWT, OAuth token file) are read at each use.
 */

type ReadFile = (path: string) => string;
const defaultRead: ReadFile = (p) => readFileSync(p, 'utf8');

/** How to connect to a Temporal frontend: spread into `Connection.connect` / `NativeConnection.connect`. */
export interface TemporalConnectOptions {
  address: string;
  /** TLS (CA, server name, client certificate); absent = plaintext. */
  tls?: TLSConfig | boolean;
  /** Temporal Cloud API key (`authorization: Bearer`). A credential. */
  apiKey?: string;
}

/** TLS and API key of the configured Temporal frontend. */
export function temporalSecurity(t: Config['temporal'], readFile: ReadFile = defaultRead): Omit<TemporalConnectOptions, 'address'> {
  const buf = (file: string | undefined): Buffer | undefined => (file === undefined ? undefined : Buffer.from(readFile(file)));
  const ca = buf(t.caFile);
  const crt = buf(t.certFile);
  const key = buf(t.keyFile);
  const wantsTls = t.tls || ca !== undefined || crt !== undefined || t.tlsServerName !== undefined || t.apiKey !== undefined;
  const tls: TLSConfig | undefined = wantsTls
    ? {
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(crt && key ? { clientCertPair: { crt, key } } : {}),
        ...(t.tlsServerName ? { serverNameOverride: t.tlsServerName } : {}),
      }
    : undefined;
  return { ...(tls ? { tls } : {}), ...(t.apiKey ? { apiKey: t.apiKey } : {}) };
}

/** Just the connection fields of a Temporal endpoint (which also carries a namespace). */
export function temporalConnectOptions(endpoint: TemporalConnectOptions): TemporalConnectOptions {
  return {
    address: endpoint.address,
    ...(endpoint.tls !== undefined ? { tls: endpoint.tls } : {}),
    ...(endpoint.apiKey !== undefined ? { apiKey: endpoint.apiKey } : {}),
  };
}

/** TLS options and OAUTHBEARER token source of the configured brokers. */
export function kafkaSecurity(k: Config['kafka'], readFile: ReadFile = defaultRead): Pick<KafkaConnection, 'ssl' | 'oauthBearer'> {
  const tls: KafkaTls = {
    ...(k.caFile ? { ca: readFile(k.caFile) } : {}),
    ...(k.certFile && k.keyFile ? { cert: readFile(k.certFile), key: readFile(k.keyFile) } : {}),
    ...(k.tlsServerName ? { servername: k.tlsServerName } : {}),
    ...(k.tlsRejectUnauthorized ? {} : { rejectUnauthorized: false }),
  };
  const ssl = Object.keys(tls).length > 0 ? tls : k.ssl;
  if (k.saslMechanism !== 'oauthbearer') return { ssl };
  const oauthBearer = k.oauthTokenFile !== undefined
    ? createOAuthTokenSource({ tokenFile: k.oauthTokenFile })
    : createOAuthTokenSource({
        tokenUrl: k.oauthTokenUrl ?? '',
        clientId: k.oauthClientId ?? '',
        clientSecret: k.oauthClientSecret ?? '',
        ...(k.oauthScope ? { scope: k.oauthScope } : {}),
      });
  return { ssl, oauthBearer };
}

/** The Vault auth method and CA bundle of the configured Vault. */
export function vaultSecurity(v: Config['vault'], readFile: ReadFile = defaultRead): { auth: VaultAuth; ca?: string } {
  const ca = v.caFile ? { ca: readFile(v.caFile) } : {};
  const mount = v.authMount ? { mount: v.authMount } : {};
  switch (v.authMethod) {
    case 'approle': {
      const secretId = v.secretIdFile ? fileSecret(v.secretIdFile, 'AppRole secret_id') : async () => v.secretId ?? '';
      return { auth: { method: 'approle', roleId: v.roleId ?? '', secretId, ...mount }, ...ca };
    }
    case 'kubernetes':
      return { auth: { method: 'kubernetes', role: v.kubernetesRole ?? '', jwt: fileSecret(v.kubernetesTokenFile, 'Kubernetes service-account token'), ...mount }, ...ca };
    default:
      return { auth: { method: 'token', token: v.token ?? '' }, ...ca };
  }
}
