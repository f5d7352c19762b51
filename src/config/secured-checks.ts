import type { Config } from './config';

/**
 * Cross-field checks of the secured-connection settings (issue 15): what each Kafka SASL
 * mechanism, Vault auth method and mTLS pair needs, and that every named file can be read, so a
 * bad deployment fails at start with each problem naming its variable, not at the first incident.
 */

/** Names a setting with the environment variable that sets it (from `ENV_VARS` in ./config). */
type EnvOf = (path: string) => string;

function pairProblem(env: EnvOf, system: string, cert: string | undefined, key: string | undefined): string[] {
  if ((cert === undefined) === (key === undefined)) return [];
  const missing = cert === undefined ? `${system}.certFile` : `${system}.keyFile`;
  return [`${env(missing)}: a client certificate and its key go together; set both for mTLS, or neither`];
}

function kafkaProblems(env: EnvOf, k: Config['kafka']): string[] {
  if (!k.brokers) return [];
  const out = pairProblem(env, 'kafka', k.certFile, k.keyFile);
  if (k.saslMechanism === 'oauthbearer') {
    const endpoint = k.oauthTokenUrl !== undefined;
    if (endpoint && k.oauthTokenFile !== undefined) out.push(`${env('kafka.oauthTokenFile')}: give the token endpoint or a token file, not both`);
    else if (!endpoint && k.oauthTokenFile === undefined) out.push(`${env('kafka.oauthTokenUrl')}: SASL oauthbearer needs a token endpoint (with client id and secret) or ${env('kafka.oauthTokenFile')}`);
    else if (endpoint && (!k.oauthClientId || !k.oauthClientSecret)) out.push(`${env('kafka.oauthClientSecret')}: the client-credentials grant needs ${env('kafka.oauthClientId')} and ${env('kafka.oauthClientSecret')}`);
  } else if (!k.username || !k.password) {
    out.push(`kafka: brokers configured without username and password (${env('kafka.username')}, ${env('kafka.password')})`);
  }
  return out;
}

function vaultProblems(env: EnvOf, v: Config['vault']): string[] {
  if (!v.address) return [];
  if (v.authMethod === 'token' && !v.token) return [`vault: address configured without token (${env('vault.token')}, or choose BREACHLINE_VAULT_AUTH_METHOD approle or kubernetes)`];
  if (v.authMethod === 'approle') {
    const out: string[] = [];
    if (!v.roleId) out.push(`${env('vault.roleId')}: AppRole login needs a role_id`);
    if (!v.secretId && !v.secretIdFile) out.push(`${env('vault.secretIdFile')}: AppRole login needs a secret_id (or ${env('vault.secretId')})`);
    return out;
  }
  if (v.authMethod === 'kubernetes' && !v.kubernetesRole) return [`${env('vault.kubernetesRole')}: Kubernetes login needs the Vault role`];
  return [];
}

function slackProblems(env: EnvOf, s: Config['slack']): string[] {
  // Without an API URL Slack is the embedded sandbox, which brings its own tokens (app token too).
  if (!s.socketMode || s.apiUrl === undefined) return [];
  const out: string[] = [];
  if (!s.appToken) out.push(`${env('slack.appToken')}: Socket Mode needs an app-level token (xapp-…)`);
  if (!s.botToken) out.push(`${env('slack.botToken')}: Socket Mode still posts with the bot token`);
  return out;
}

/** Files named in the config that cannot be read, each with its variable. */
function unreadableFiles(env: EnvOf, c: Config, readFile: (path: string) => string): string[] {
  const files: Array<[string, string | undefined]> = [
    ['kafka.caFile', c.kafka.caFile],
    ['kafka.certFile', c.kafka.certFile],
    ['kafka.keyFile', c.kafka.keyFile],
    ['temporal.caFile', c.temporal.caFile],
    ['temporal.certFile', c.temporal.certFile],
    ['temporal.keyFile', c.temporal.keyFile],
    ['vault.caFile', c.vault.caFile],
    ['vault.secretIdFile', c.vault.authMethod === 'approle' ? c.vault.secretIdFile : undefined],
    ['vault.kubernetesTokenFile', c.vault.address && c.vault.authMethod === 'kubernetes' ? c.vault.kubernetesTokenFile : undefined],
  ];
  const out: string[] = [];
  for (const [path, file] of files) {
    if (file === undefined) continue;
    try {
      readFile(file);
    } catch (err) {
      out.push(`${env(path)}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return out;
}

/** Every problem of the secured-connection settings, each naming its variable. */
export function securedSystemProblems(c: Config, readFile: (path: string) => string, env: EnvOf): string[] {
  return [
    ...kafkaProblems(env, c.kafka),
    ...pairProblem(env, 'temporal', c.temporal.certFile, c.temporal.keyFile),
    ...vaultProblems(env, c.vault),
    ...slackProblems(env, c.slack),
    ...unreadableFiles(env, c, readFile),
  ];
}
