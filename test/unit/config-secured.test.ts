import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, loadConfig } from '../../src/config/config';
import { kafkaSecurity, temporalSecurity, vaultSecurity } from '../../src/app/secured-connections';

/** Files the tests pretend exist; any other path is ENOENT. */
const files: Record<string, string> = { '/pki/ca.pem': 'CA PEM', '/pki/client.pem': 'CLIENT PEM', '/pki/client.key': 'KEY PEM', '/vault/secret-id': 'sid' };
const readFile = (path: string): string => {
  const content = files[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, readFile });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

const kafka = { BREACHLINE_KAFKA_BROKERS: 'k1:9093' };
const vault = { BREACHLINE_VAULT_ADDRESS: 'https://vault.internal:8200' };

describe('secured-connection configuration: every problem names its variable', () => {
  it('a schema error names the variable behind the path', () => {
    expect(problems({ BREACHLINE_KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual([expect.stringMatching(/^kafka\.saslMechanism \(BREACHLINE_KAFKA_SASL_MECHANISM\): /)]);
    expect(problems({ BREACHLINE_SLACK_APP_TOKEN: 'xoxb-bot' })).toEqual(['slack.appToken (BREACHLINE_SLACK_APP_TOKEN): expected an app-level token (xapp-…)']);
  });

  it('an unreadable certificate file names the variable and the error code', () => {
    const p = problems({ ...kafka, BREACHLINE_KAFKA_USERNAME: 'u', BREACHLINE_KAFKA_PASSWORD: 'p', BREACHLINE_KAFKA_CA_FILE: '/pki/missing.pem', BREACHLINE_TEMPORAL_CA_FILE: '/pki/gone.pem' });
    expect(p).toEqual([
      'kafka.caFile (BREACHLINE_KAFKA_CA_FILE): cannot read /pki/missing.pem: ENOENT',
      'temporal.caFile (BREACHLINE_TEMPORAL_CA_FILE): cannot read /pki/gone.pem: ENOENT',
    ]);
  });

  it('a client certificate without its key (and the reverse) is refused for Kafka and Temporal', () => {
    const p = problems({ ...kafka, BREACHLINE_KAFKA_USERNAME: 'u', BREACHLINE_KAFKA_PASSWORD: 'p', BREACHLINE_KAFKA_CERT_FILE: '/pki/client.pem', BREACHLINE_TEMPORAL_KEY_FILE: '/pki/client.key' });
    expect(p).toEqual([
      expect.stringMatching(/^kafka\.keyFile \(BREACHLINE_KAFKA_KEY_FILE\): a client certificate and its key go together/),
      expect.stringMatching(/^temporal\.certFile \(BREACHLINE_TEMPORAL_CERT_FILE\): a client certificate and its key go together/),
    ]);
  });

  it('OAUTHBEARER needs a token endpoint with client credentials, or a token file, not both', () => {
    const ob = { ...kafka, BREACHLINE_KAFKA_SASL_MECHANISM: 'oauthbearer' };
    expect(problems(ob)).toEqual([expect.stringMatching(/^kafka\.oauthTokenUrl \(BREACHLINE_KAFKA_OAUTH_TOKEN_URL\): SASL oauthbearer needs a token endpoint/)]);
    expect(problems({ ...ob, BREACHLINE_KAFKA_OAUTH_TOKEN_URL: 'https://idp/token' })).toEqual([expect.stringContaining('BREACHLINE_KAFKA_OAUTH_CLIENT_SECRET')]);
    expect(problems({ ...ob, BREACHLINE_KAFKA_OAUTH_TOKEN_URL: 'https://idp/token', BREACHLINE_KAFKA_OAUTH_TOKEN_FILE: '/t' })).toEqual([expect.stringContaining('not both')]);
    expect(problems({ ...ob, BREACHLINE_KAFKA_OAUTH_TOKEN_URL: 'https://idp/token', BREACHLINE_KAFKA_OAUTH_CLIENT_ID: 'c', BREACHLINE_KAFKA_OAUTH_CLIENT_SECRET: 's' })).toEqual([]);
  });

  it('each Vault auth method asks for what it needs', () => {
    expect(problems(vault)).toEqual([expect.stringContaining('BREACHLINE_VAULT_TOKEN')]);
    expect(problems({ ...vault, BREACHLINE_VAULT_AUTH_METHOD: 'approle' })).toEqual([
      'vault.roleId (BREACHLINE_VAULT_ROLE_ID): AppRole login needs a role_id',
      expect.stringMatching(/^vault\.secretIdFile \(BREACHLINE_VAULT_SECRET_ID_FILE\): AppRole login needs a secret_id/),
    ]);
    expect(problems({ ...vault, BREACHLINE_VAULT_AUTH_METHOD: 'approle', BREACHLINE_VAULT_ROLE_ID: 'r', BREACHLINE_VAULT_SECRET_ID_FILE: '/vault/secret-id' })).toEqual([]);
    expect(problems({ ...vault, BREACHLINE_VAULT_AUTH_METHOD: 'kubernetes', BREACHLINE_VAULT_K8S_ROLE: 'breachline' })).toEqual([
      'vault.kubernetesTokenFile (BREACHLINE_VAULT_K8S_TOKEN_FILE): cannot read /var/run/secrets/kubernetes.io/serviceaccount/token: ENOENT',
    ]);
    expect(problems({ ...vault, BREACHLINE_VAULT_AUTH_METHOD: 'ldap' })).toEqual([expect.stringMatching(/^vault\.authMethod \(BREACHLINE_VAULT_AUTH_METHOD\)/)]);
  });

  it('Socket Mode needs the app-level token and the bot token, but no signing secret', () => {
    // The embedded Slack sandbox (no API URL) brings its own tokens.
    expect(problems({ BREACHLINE_SLACK_SOCKET_MODE: 'true' })).toEqual([]);
    expect(problems({ BREACHLINE_SLACK_SOCKET_MODE: 'true', BREACHLINE_SLACK_API_URL: 'https://slack.com/api/' })).toEqual([
      expect.stringContaining('BREACHLINE_SLACK_APP_TOKEN'),
      expect.stringContaining('BREACHLINE_SLACK_BOT_TOKEN'),
    ]);
    expect(problems({ BREACHLINE_SLACK_SOCKET_MODE: 'true', BREACHLINE_SLACK_API_URL: 'https://slack.com/api/', BREACHLINE_SLACK_APP_TOKEN: 'xapp-1-A', BREACHLINE_SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([]);
  });

  it('every variable maps to a path the schema knows', () => {
    const names = ENV_VARS.map(([n]) => n);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['BREACHLINE_KAFKA_CA_FILE', 'BREACHLINE_TEMPORAL_API_KEY', 'BREACHLINE_VAULT_K8S_ROLE', 'BREACHLINE_SLACK_APP_TOKEN']) expect(names).toContain(name);
  });
});

describe('secured-connection options from the configuration', () => {
  it('Kafka: files become PEM options; any TLS setting turns TLS on', () => {
    const c = loadConfig({ env: { ...kafka, BREACHLINE_KAFKA_USERNAME: 'u', BREACHLINE_KAFKA_PASSWORD: 'p', BREACHLINE_KAFKA_CA_FILE: '/pki/ca.pem', BREACHLINE_KAFKA_CERT_FILE: '/pki/client.pem', BREACHLINE_KAFKA_KEY_FILE: '/pki/client.key', BREACHLINE_KAFKA_TLS_SERVER_NAME: 'kafka.internal' }, readFile });
    expect(kafkaSecurity(c.kafka, readFile)).toEqual({ ssl: { ca: 'CA PEM', cert: 'CLIENT PEM', key: 'KEY PEM', servername: 'kafka.internal' } });
    const plain = loadConfig({ env: { ...kafka, BREACHLINE_KAFKA_USERNAME: 'u', BREACHLINE_KAFKA_PASSWORD: 'p' }, readFile });
    expect(kafkaSecurity(plain.kafka, readFile)).toEqual({ ssl: false });
  });

  it('Temporal: an API key alone means TLS with the system roots (Temporal Cloud)', () => {
    const c = loadConfig({ env: { BREACHLINE_TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', BREACHLINE_TEMPORAL_NAMESPACE: 'ns.acct', BREACHLINE_TEMPORAL_API_KEY: 'key' }, readFile });
    expect(temporalSecurity(c.temporal, readFile)).toEqual({ tls: {}, apiKey: 'key' });
    const none = loadConfig({ env: { BREACHLINE_TEMPORAL_ADDRESS: 'temporal:7233' }, readFile });
    expect(temporalSecurity(none.temporal, readFile)).toEqual({});
  });

  it('Vault: AppRole reads the secret_id from its file at login', async () => {
    const c = loadConfig({ env: { ...vault, BREACHLINE_VAULT_AUTH_METHOD: 'approle', BREACHLINE_VAULT_ROLE_ID: 'r', BREACHLINE_VAULT_SECRET_ID: 'inline-secret' }, readFile });
    const { auth } = vaultSecurity(c.vault, readFile);
    expect(auth).toMatchObject({ method: 'approle', roleId: 'r' });
    expect(auth.method === 'approle' ? await auth.secretId() : undefined).toBe('inline-secret');
  });
});
