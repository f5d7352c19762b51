import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseSourceSpec } from '../forensics/sources/spec';
import { securedSystemProblems } from './secured-checks';

/**
 * breachline's configuration. An absent address does not start anything by itself: with no address
 * at all, `breachline start` is the sandbox demo; with some, every system must be configured or
 * named in `--sandbox` (see `planSystems` in ./systems); the worker needs all of them (design §5).
 * Loaded from the environment and an optional YAML/JSON file (`BREACHLINE_CONFIG_FILE`); the
 * environment wins.
 */
export const configSchema = z.object({
  temporal: z
    .object({
      /** `host:port` of a Temporal frontend. @default undefined (not configured) */
      address: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
      /** @default 'default' */
      namespace: z.string().min(1).default('default'),
      /** Task queue for production activities. @default 'breachline' */
      taskQueue: z.string().min(1).default('breachline'),
      /** Task queue for drill activities; always backed by the embedded sandbox. @default 'breachline-drill' */
      drillTaskQueue: z.string().min(1).default('breachline-drill'),
      /**
       * Task queue of the evidence replay (issue 13): more worker processes on it scale evidence
       * out without touching the playbook. @default `<taskQueue>-evidence`
       */
      evidenceTaskQueue: z.string().min(1).optional(),
      /**
       * Worker Deployment name. Set, the workers use Temporal's worker versioning: every incident is
       * PINNED to the build it started on, so a deployment drains running incidents on their old
       * code while new ones start on the new build. @default undefined (unversioned workers)
       */
      deploymentName: z.string().min(1).optional(),
      /** This build's id within the deployment; required with `deploymentName`. @default undefined */
      buildId: z.string().min(1).optional(),
      // Secured frontends (self-hosted TLS/mTLS, Temporal Cloud): issue 15.
      /** Connect with TLS. On by itself when a CA, client certificate or API key is set. @default false */
      tls: z.boolean().default(false),
      /** PEM CA bundle that signs the frontend's certificate. @default Node's trusted roots */
      caFile: z.string().min(1).optional(),
      /** PEM client certificate for mTLS (Temporal Cloud's certificate auth); needs `keyFile`. */
      certFile: z.string().min(1).optional(),
      /** PEM private key of `certFile`. */
      keyFile: z.string().min(1).optional(),
      /** Name checked against the frontend certificate. @default the address host */
      tlsServerName: z.string().min(1).optional(),
      /** Temporal Cloud API key, sent as `authorization: Bearer`. A credential. @default undefined */
      apiKey: z.string().min(1).optional(),
      // Payload encryption and the codec endpoint (issue 15, item 5): see docs/payload-encryption.md.
      codec: z
        .object({
          /** Encrypt every payload Temporal stores (AES-256-GCM, data keys from Vault transit). @default true */
          enabled: z.boolean().default(true),
          /** Vault transit key wrapping the data keys (created as aes256-gcm96 when missing). @default 'breachline-temporal' */
          transitKey: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a transit key name ([A-Za-z0-9_.-])').default('breachline-temporal'),
          /** A new data key after this many payloads. @default 10000 */
          rotateAfterPayloads: z.number().int().positive().default(10_000),
          /** A new data key after this many minutes. @default 60 */
          rotateAfterMinutes: z.number().positive().default(60),
          /** Port of the codec endpoint (Temporal UI / CLI `--codec-endpoint`); absent: not served by `start`. @default undefined */
          port: z.number().int().min(0).max(65535).optional(),
          /** Address the codec endpoint binds to. @default '127.0.0.1' */
          host: z.string().min(1).default('127.0.0.1'),
          /** Origins allowed by CORS, e.g. the Temporal UI's `http://localhost:8233`. @default [] */
          corsOrigins: z.array(z.url()).default([]),
          /**
           * Bearer tokens of the codec endpoint, each held by a user (a Slack user id of `roles`) whose
           * role the Cedar policies ask before a decode. @default []
           */
          tokens: z.array(z.object({ user: z.string().min(1), token: z.string().min(16, 'codec endpoint tokens need at least 16 characters') })).default([]),
        })
        .prefault({}),
    })
    .refine((t) => (t.deploymentName === undefined) === (t.buildId === undefined), {
      message: 'BREACHLINE_WORKER_DEPLOYMENT and BREACHLINE_WORKER_BUILD_ID go together: set both for worker versioning, or neither',
      path: ['buildId'],
    })
    .prefault({}),
  kafka: z
    .object({
      /** Bootstrap brokers. @default undefined (not configured) */
      brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1).optional(),
      /** `oauthbearer` takes its token from `oauthTokenUrl` or `oauthTokenFile`. @default 'scram-sha-512' */
      saslMechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer']).default('scram-sha-512'),
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      /** Use TLS to the brokers. On by itself when a CA, client certificate or server name is set. @default false */
      ssl: z.boolean().default(false),
      // Secured clusters (issue 15): TLS material, and the OAUTHBEARER token source.
      /** PEM CA bundle that signs the brokers' certificates. @default Node's trusted roots */
      caFile: z.string().min(1).optional(),
      /** PEM client certificate for mTLS (`ssl.client.auth=required`); needs `keyFile`. */
      certFile: z.string().min(1).optional(),
      /** PEM private key of `certFile`. */
      keyFile: z.string().min(1).optional(),
      /** Name checked against the broker certificates (and sent as SNI). @default each broker's host */
      tlsServerName: z.string().min(1).optional(),
      /** Refuse certificates that do not verify; turn off for nothing but a throwaway lab. @default true */
      tlsRejectUnauthorized: z.boolean().default(true),
      /** OAuth 2.0 token endpoint (client-credentials grant) for OAUTHBEARER. */
      oauthTokenUrl: z.url().optional(),
      oauthClientId: z.string().min(1).optional(),
      /** A credential. */
      oauthClientSecret: z.string().min(1).optional(),
      oauthScope: z.string().min(1).optional(),
      /** A file holding the OAUTHBEARER token, kept fresh by something else (instead of the endpoint). */
      oauthTokenFile: z.string().min(1).optional(),
      /** Topic the hash-chained audit events go to. @default 'breachline.audit' */
      auditTopic: z.string().min(1).default('breachline.audit'),
      /**
       * Where this cluster keeps access records for forensics (issue 12), several combine:
       * `request-log:file:<glob>`, `request-log:topic:<topic>`, `consumer-offsets[:<topic>]`,
       * `confluent-audit[:<topic>]`, `sandbox-access-log[:<topic>]` (see src/forensics/sources/spec).
       * @default undefined (the sandbox access log only)
       */
      forensicsSources: z
        .array(z.string())
        .min(1)
        .superRefine((specs, ctx) => {
          for (const spec of specs) {
            try {
              parseSourceSpec(spec);
            } catch (err) {
              ctx.addIssue({ code: 'custom', message: (err as Error).message });
            }
          }
        })
        .optional(),
    })
    .prefault({}),
  vault: z
    .object({
      /** Vault base URL. @default undefined (not configured) */
      address: z.url().optional(),
      /** With `authMethod: token`: the token itself. A credential. */
      token: z.string().min(1).optional(),
      // Vault auth methods and TLS (issue 15). The token from a login is renewed before its TTL ends.
      /** How breachline logs in: a fixed token, AppRole, or Kubernetes. @default 'token' */
      authMethod: z.enum(['token', 'approle', 'kubernetes']).default('token'),
      /** Auth mount path. @default 'approle' or 'kubernetes' (the method's name) */
      authMount: z.string().min(1).optional(),
      /** AppRole role_id. */
      roleId: z.string().min(1).optional(),
      /** AppRole secret_id. A credential; prefer `secretIdFile`. */
      secretId: z.string().min(1).optional(),
      /** File holding the AppRole secret_id (read at every login, so a new one can be dropped in). */
      secretIdFile: z.string().min(1).optional(),
      /** Kubernetes auth role. */
      kubernetesRole: z.string().min(1).optional(),
      /** Service-account JWT file. @default '/var/run/secrets/kubernetes.io/serviceaccount/token' */
      kubernetesTokenFile: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
      /** PEM CA bundle for an https Vault address. @default Node's trusted roots */
      caFile: z.string().min(1).optional(),
      /** KV v2 mount for service credentials. @default 'secret' */
      kvMount: z.string().min(1).default('secret'),
      /** Transit mount for evidence encryption. @default 'transit' */
      transitMount: z.string().min(1).default('transit'),
      // Leaked-token playbook (issue 17, item 4): where `vault.trace-token` reads the audit log.
      /** The file a Vault file audit device writes, readable by the worker (shipped or mounted). @default undefined (the trace is refused) */
      auditFile: z.string().min(1).optional(),
      /** Path of that audit device, as `vault audit list` shows it (its salt hashes the accessor). @default 'file' */
      auditDevice: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('file'),
      /** Instead of `auditFile`: the topic of the worker's Kafka cluster a log shipper produces that device's lines to (one per record value). @default undefined */
      auditTopic: z.string().min(1).optional(),
    })
    .prefault({}),
  slack: z
    .object({
      /** Slack Web API base, e.g. https://slack.com/api/. @default undefined (not configured) */
      apiUrl: z.url().optional(),
      botToken: z.string().min(1).optional(),
      signingSecret: z.string().min(1).optional(),
      /** Channel for incident messages. @default '#incidents' */
      incidentChannel: z.string().min(1).default('#incidents'),
      /** The slash command responders type. @default '/ir' */
      command: z.string().startsWith('/').default('/ir'),
      // Socket Mode (issue 15): no public HTTP receiver; Slack is reached over a WebSocket.
      /** Receive events over Socket Mode instead of the HTTP receiver. @default false */
      socketMode: z.boolean().default(false),
      /** App-level token (`xapp-…`, scope connections:write) for Socket Mode. A credential. */
      appToken: z.string().startsWith('xapp-', 'expected an app-level token (xapp-…)').optional(),
    })
    .prefault({}),
  ingress: z
    .object({
      /** @default 8080 */
      port: z.number().int().min(0).max(65535).default(8080),
      /** Largest accepted request body in bytes. @default 262144 */
      bodyLimitBytes: z.number().int().positive().default(256 * 1024),
      /** Per-source credentials: an HMAC secret or a bearer token. */
      sources: z
        .partialRecord(
          z.enum(['splunk', 'elastic', 'sentinel', 'generic']),
          z.object({ hmacSecret: z.string().min(16).optional(), bearerToken: z.string().min(16).optional() }),
        )
        .default({}),
      // Alert storms (issue 15, item 3): coalescing, the durable alerts topic, several processes.
      /**
       * Duplicates of an open incident are answered from a per-process cache of open runs and their
       * new alert ids batched into one signal per incident per `batchIntervalMs`. @default enabled
       */
      coalesce: z
        .object({
          /** @default true */
          enabled: z.boolean().default(true),
          /** Gathering window of a batch, ms. @default 10 */
          batchIntervalMs: z.number().int().min(0).max(1000).default(10),
          /** Most alerts per batch signal. @default 200 */
          maxBatch: z.number().int().min(1).max(1000).default(200),
          /** Open incidents remembered per process. @default 10000 */
          maxIncidents: z.number().int().min(1).default(10_000),
          /** How long a remembered open run is trusted, ms. @default 60000 */
          ttlMs: z.number().int().min(0).default(60_000),
        })
        .prefault({}),
      /**
       * Durable first: every new alert is appended to `alertsTopic` (acks=all, keyed by fingerprint)
       * before its 202, and a correlator (consumer group `correlatorGroup`) hands the records to
       * Temporal. A Temporal outage then queues alerts instead of refusing them. Needs Kafka.
       * Unset: on wherever a Kafka is configured, and in the demo (its Kafka sandbox); `false` is
       * direct mode (alerts go to Temporal on the request path). See {@link ingressDurable}.
       * @default undefined (durable when there is a Kafka)
       */
      durable: z.boolean().optional(),
      /** @default 'breachline.alerts' */
      alertsTopic: z.string().min(1).default('breachline.alerts'),
      /** Partitions the alerts topic is created with (the most correlators that share the work). @default 12 */
      alertsTopicPartitions: z.number().int().min(1).max(1000).default(12),
      /** @default 'breachline-correlator' */
      correlatorGroup: z.string().min(1).default('breachline-correlator'),
      /** Ingress processes (`node:cluster`) sharing the port in `breachline ingress`. @default 1 */
      workers: z.number().int().min(1).max(64).default(1),
      // The storm p99 (issue 15): appends gathered into one produce request.
      /** How long an append waits for others to share its produce request, ms (0: one event-loop turn). @default 5 */
      appendLingerMs: z.number().int().min(0).max(100).default(5),
    })
    .prefault({}),
  // The incident console (issue 16, item 3): served by `breachline start` beside ingress.
  console: z
    .object({
      /** Serve the console from `breachline start`. @default true */
      enabled: z.boolean().default(true),
      /** Port of the console (host: ingress's). 0 picks a free one. @default 8790 */
      port: z.number().int().min(0).max(65535).default(8790),
      /**
       * The console's URL as browsers reach it, for the `/ir console` link and the Origin check
       * (e.g. `https://console.example.org`). @default the listening address
       */
      publicUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** How long a console session lasts, minutes. @default 480 (8 h) */
      sessionMinutes: z.number().int().min(1).max(7 * 24 * 60).default(480),
      /** Directory of the built front end. @default '<package>/dist/console' */
      staticDir: z.string().min(1).optional(),
    })
    .prefault({}),
  // Outside services of the generic actions (issue 17): addresses only; their credentials are Vault
  // references in each step's `credential` (e.g. `breachline/pagerduty#routing_key`), never here.
  actions: z
    .object({
      /** PagerDuty Events API v2 base URL for `page` (provider pagerduty). @default 'https://events.pagerduty.com' */
      pagerdutyUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** Opsgenie Alert API base URL for `page` (provider opsgenie). @default 'https://api.opsgenie.com' */
      opsgenieUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** Jira Cloud site for `ticket`, e.g. `https://acme.atlassian.net`; absent: `ticket` steps are refused. */
      jiraUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .prefault({}),
  /** Directory of versioned runbook YAML files. @default 'runbooks' */
  runbookDir: z.string().min(1).default('runbooks'),
  /** Slack user id → role. */
  roles: z.record(z.string(), z.enum(['incident-commander', 'responder', 'dpo', 'observer'])).default({}),
  /**
   * Where the sandboxes journal their state. `breachline start` uses `.breachline/data` when this
   * is unset (its `--data-dir` wins over both, `--ephemeral` keeps everything in memory).
   * @default undefined
   */
  dataDir: z.string().min(1).optional(),
  /** @default 'info' */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The validated configuration. */
export type Config = z.infer<typeof configSchema>;

/** Raised when configuration is invalid; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
const bool = (v: string): boolean | string => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v);
const int = (v: string): number | string => (/^-?\d+$/.test(v) ? Number(v) : v);
const json = (v: string): unknown => {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

/** Environment variable → config path and parser. The README lists these. */
export const ENV_VARS: ReadonlyArray<readonly [string, readonly string[], (v: string) => unknown]> = [
  ['BREACHLINE_TEMPORAL_ADDRESS', ['temporal', 'address'], String],
  ['BREACHLINE_TEMPORAL_NAMESPACE', ['temporal', 'namespace'], String],
  ['BREACHLINE_TEMPORAL_TASK_QUEUE', ['temporal', 'taskQueue'], String],
  ['BREACHLINE_TEMPORAL_EVIDENCE_TASK_QUEUE', ['temporal', 'evidenceTaskQueue'], String],
  ['BREACHLINE_WORKER_DEPLOYMENT', ['temporal', 'deploymentName'], String],
  ['BREACHLINE_WORKER_BUILD_ID', ['temporal', 'buildId'], String],
  ['BREACHLINE_TEMPORAL_TLS', ['temporal', 'tls'], bool],
  ['BREACHLINE_TEMPORAL_CA_FILE', ['temporal', 'caFile'], String],
  ['BREACHLINE_TEMPORAL_CERT_FILE', ['temporal', 'certFile'], String],
  ['BREACHLINE_TEMPORAL_KEY_FILE', ['temporal', 'keyFile'], String],
  ['BREACHLINE_TEMPORAL_TLS_SERVER_NAME', ['temporal', 'tlsServerName'], String],
  ['BREACHLINE_TEMPORAL_API_KEY', ['temporal', 'apiKey'], String],
  ['BREACHLINE_KAFKA_BROKERS', ['kafka', 'brokers'], list],
  ['BREACHLINE_KAFKA_SASL_MECHANISM', ['kafka', 'saslMechanism'], String],
  ['BREACHLINE_KAFKA_USERNAME', ['kafka', 'username'], String],
  ['BREACHLINE_KAFKA_PASSWORD', ['kafka', 'password'], String],
  ['BREACHLINE_KAFKA_SSL', ['kafka', 'ssl'], bool],
  ['BREACHLINE_KAFKA_AUDIT_TOPIC', ['kafka', 'auditTopic'], String],
  // Forensics access-record sources (issue 12).
  ['BREACHLINE_FORENSICS_SOURCES', ['kafka', 'forensicsSources'], list],
  ['BREACHLINE_KAFKA_CA_FILE', ['kafka', 'caFile'], String],
  ['BREACHLINE_KAFKA_CERT_FILE', ['kafka', 'certFile'], String],
  ['BREACHLINE_KAFKA_KEY_FILE', ['kafka', 'keyFile'], String],
  ['BREACHLINE_KAFKA_TLS_SERVER_NAME', ['kafka', 'tlsServerName'], String],
  ['BREACHLINE_KAFKA_TLS_REJECT_UNAUTHORIZED', ['kafka', 'tlsRejectUnauthorized'], bool],
  ['BREACHLINE_KAFKA_OAUTH_TOKEN_URL', ['kafka', 'oauthTokenUrl'], String],
  ['BREACHLINE_KAFKA_OAUTH_CLIENT_ID', ['kafka', 'oauthClientId'], String],
  ['BREACHLINE_KAFKA_OAUTH_CLIENT_SECRET', ['kafka', 'oauthClientSecret'], String],
  ['BREACHLINE_KAFKA_OAUTH_SCOPE', ['kafka', 'oauthScope'], String],
  ['BREACHLINE_KAFKA_OAUTH_TOKEN_FILE', ['kafka', 'oauthTokenFile'], String],
  ['BREACHLINE_VAULT_ADDRESS', ['vault', 'address'], String],
  ['BREACHLINE_VAULT_TOKEN', ['vault', 'token'], String],
  ['BREACHLINE_VAULT_AUTH_METHOD', ['vault', 'authMethod'], String],
  ['BREACHLINE_VAULT_AUTH_MOUNT', ['vault', 'authMount'], String],
  ['BREACHLINE_VAULT_ROLE_ID', ['vault', 'roleId'], String],
  ['BREACHLINE_VAULT_SECRET_ID', ['vault', 'secretId'], String],
  ['BREACHLINE_VAULT_SECRET_ID_FILE', ['vault', 'secretIdFile'], String],
  ['BREACHLINE_VAULT_K8S_ROLE', ['vault', 'kubernetesRole'], String],
  ['BREACHLINE_VAULT_K8S_TOKEN_FILE', ['vault', 'kubernetesTokenFile'], String],
  ['BREACHLINE_VAULT_CA_FILE', ['vault', 'caFile'], String],
  // Leaked-token playbook (issue 17, item 4).
  ['BREACHLINE_VAULT_AUDIT_FILE', ['vault', 'auditFile'], String],
  ['BREACHLINE_VAULT_AUDIT_DEVICE', ['vault', 'auditDevice'], String],
  ['BREACHLINE_VAULT_AUDIT_TOPIC', ['vault', 'auditTopic'], String],
  ['BREACHLINE_SLACK_API_URL', ['slack', 'apiUrl'], String],
  ['BREACHLINE_SLACK_BOT_TOKEN', ['slack', 'botToken'], String],
  ['BREACHLINE_SLACK_SIGNING_SECRET', ['slack', 'signingSecret'], String],
  ['BREACHLINE_SLACK_CHANNEL', ['slack', 'incidentChannel'], String],
  ['BREACHLINE_SLACK_SOCKET_MODE', ['slack', 'socketMode'], bool],
  ['BREACHLINE_SLACK_APP_TOKEN', ['slack', 'appToken'], String],
  ['BREACHLINE_INGRESS_PORT', ['ingress', 'port'], int],
  ['BREACHLINE_INGRESS_SOURCES', ['ingress', 'sources'], json],
  ['BREACHLINE_RUNBOOK_DIR', ['runbookDir'], String],
  ['BREACHLINE_ROLES', ['roles'], json],
  ['BREACHLINE_DATA_DIR', ['dataDir'], String],
  ['BREACHLINE_LOG_LEVEL', ['logLevel'], String],
  // Payload encryption and the codec endpoint (issue 15, item 5).
  ['BREACHLINE_TEMPORAL_CODEC', ['temporal', 'codec', 'enabled'], bool],
  ['BREACHLINE_TEMPORAL_CODEC_KEY', ['temporal', 'codec', 'transitKey'], String],
  ['BREACHLINE_TEMPORAL_CODEC_ROTATE_PAYLOADS', ['temporal', 'codec', 'rotateAfterPayloads'], int],
  ['BREACHLINE_TEMPORAL_CODEC_ROTATE_MINUTES', ['temporal', 'codec', 'rotateAfterMinutes'], int],
  ['BREACHLINE_CODEC_PORT', ['temporal', 'codec', 'port'], int],
  ['BREACHLINE_CODEC_HOST', ['temporal', 'codec', 'host'], String],
  ['BREACHLINE_CODEC_CORS_ORIGINS', ['temporal', 'codec', 'corsOrigins'], list],
  ['BREACHLINE_CODEC_TOKENS', ['temporal', 'codec', 'tokens'], json],
  // Alert storms (issue 15, item 3).
  ['BREACHLINE_INGRESS_DURABLE', ['ingress', 'durable'], bool],
  ['BREACHLINE_INGRESS_ALERTS_TOPIC', ['ingress', 'alertsTopic'], String],
  ['BREACHLINE_INGRESS_WORKERS', ['ingress', 'workers'], int],
  ['BREACHLINE_INGRESS_COALESCE', ['ingress', 'coalesce', 'enabled'], bool],
  // The storm p99 (issue 15).
  ['BREACHLINE_INGRESS_APPEND_LINGER_MS', ['ingress', 'appendLingerMs'], int],
  // The incident console (issue 16, item 3).
  ['BREACHLINE_CONSOLE', ['console', 'enabled'], bool],
  ['BREACHLINE_CONSOLE_PORT', ['console', 'port'], int],
  ['BREACHLINE_CONSOLE_URL', ['console', 'publicUrl'], String],
  ['BREACHLINE_CONSOLE_SESSION_MINUTES', ['console', 'sessionMinutes'], int],
  ['BREACHLINE_CONSOLE_STATIC_DIR', ['console', 'staticDir'], String],
  // Outside services of the generic actions (issue 17).
  ['BREACHLINE_PAGERDUTY_URL', ['actions', 'pagerdutyUrl'], String],
  ['BREACHLINE_OPSGENIE_URL', ['actions', 'opsgenieUrl'], String],
  ['BREACHLINE_JIRA_URL', ['actions', 'jiraUrl'], String],
];

/** A config path with the environment variable that sets it, so a problem names what to change. */
function namedPath(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  const env = ENV_VARS.find(([, p]) => p.join('.') === dotted)?.[0];
  return env ? `${dotted} (${env})` : dotted || '(root)';
}

/** Inputs to {@link loadConfig}; injected so tests need neither the process environment nor files. */
export interface LoadConfigOptions {
  env?: Env;
  /** Reads the config file; @default fs.readFileSync as UTF-8 */
  readFile?: (path: string) => string;
}

/**
 * Loads, defaults and validates the configuration. Throws {@link ConfigError} listing every
 * problem, including pairs that only make sense together (a Kafka user without a password).
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  const file = env.BREACHLINE_CONFIG_FILE;
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFile(file));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
      else problems.push(`${file}: expected a mapping at the top level`);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  for (const [name, path, parse] of ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, parse(value));
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${namedPath(issue.path)}: ${issue.message}`);
  } else {
    const c = result.data;
    problems.push(...securedSystemProblems(c, readFile, (path) => namedPath(path.split('.'))));
    if (c.slack.apiUrl && !c.slack.socketMode && (!c.slack.botToken || !c.slack.signingSecret)) problems.push('slack: apiUrl configured without botToken and signingSecret');
    // Leaked-token playbook: the trace reads one audit source, never a guess between two.
    if (c.vault.auditFile !== undefined && c.vault.auditTopic !== undefined) problems.push('vault: BREACHLINE_VAULT_AUDIT_FILE (vault.auditFile) and BREACHLINE_VAULT_AUDIT_TOPIC (vault.auditTopic) are alternatives: set one of them');
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** The evidence replay's task queue (issue 13): configured, or `<taskQueue>-evidence`. */
export function evidenceTaskQueue(config: Pick<Config, 'temporal'>): string {
  return config.temporal.evidenceTaskQueue ?? `${config.temporal.taskQueue}-evidence`;
}

// Durable ingress as the default (issue 15, storm).
/**
 * Whether the ingress runs durable first: as configured when `ingress.durable` is set, else
 * whenever it has a Kafka to append to (`hasKafka`: configured, or the demo's sandbox).
 */
export function ingressDurable(config: Pick<Config, 'ingress'>, hasKafka: boolean): boolean {
  return config.ingress.durable ?? hasKafka;
}
