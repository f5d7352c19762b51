import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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
       * Worker Deployment name. Set, the workers use Temporal's worker versioning: every incident is
       * PINNED to the build it started on, so a deployment drains running incidents on their old
       * code while new ones start on the new build. @default undefined (unversioned workers)
       */
      deploymentName: z.string().min(1).optional(),
      /** This build's id within the deployment; required with `deploymentName`. @default undefined */
      buildId: z.string().min(1).optional(),
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
      /** @default 'scram-sha-512' */
      saslMechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).default('scram-sha-512'),
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      /** Use TLS to the brokers. @default false */
      ssl: z.boolean().default(false),
      /** Topic the hash-chained audit events go to. @default 'breachline.audit' */
      auditTopic: z.string().min(1).default('breachline.audit'),
    })
    .prefault({}),
  vault: z
    .object({
      /** Vault base URL. @default undefined (not configured) */
      address: z.url().optional(),
      token: z.string().min(1).optional(),
      /** KV v2 mount for service credentials. @default 'secret' */
      kvMount: z.string().min(1).default('secret'),
      /** Transit mount for evidence encryption. @default 'transit' */
      transitMount: z.string().min(1).default('transit'),
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
       * @default false (alerts go to Temporal on the request path)
       */
      durable: z.boolean().default(false),
      /** @default 'breachline.alerts' */
      alertsTopic: z.string().min(1).default('breachline.alerts'),
      /** Partitions the alerts topic is created with (the most correlators that share the work). @default 12 */
      alertsTopicPartitions: z.number().int().min(1).max(1000).default(12),
      /** @default 'breachline-correlator' */
      correlatorGroup: z.string().min(1).default('breachline-correlator'),
      /** Ingress processes (`node:cluster`) sharing the port in `breachline ingress`. @default 1 */
      workers: z.number().int().min(1).max(64).default(1),
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
  ['BREACHLINE_WORKER_DEPLOYMENT', ['temporal', 'deploymentName'], String],
  ['BREACHLINE_WORKER_BUILD_ID', ['temporal', 'buildId'], String],
  ['BREACHLINE_KAFKA_BROKERS', ['kafka', 'brokers'], list],
  ['BREACHLINE_KAFKA_SASL_MECHANISM', ['kafka', 'saslMechanism'], String],
  ['BREACHLINE_KAFKA_USERNAME', ['kafka', 'username'], String],
  ['BREACHLINE_KAFKA_PASSWORD', ['kafka', 'password'], String],
  ['BREACHLINE_KAFKA_SSL', ['kafka', 'ssl'], bool],
  ['BREACHLINE_KAFKA_AUDIT_TOPIC', ['kafka', 'auditTopic'], String],
  ['BREACHLINE_VAULT_ADDRESS', ['vault', 'address'], String],
  ['BREACHLINE_VAULT_TOKEN', ['vault', 'token'], String],
  ['BREACHLINE_SLACK_API_URL', ['slack', 'apiUrl'], String],
  ['BREACHLINE_SLACK_BOT_TOKEN', ['slack', 'botToken'], String],
  ['BREACHLINE_SLACK_SIGNING_SECRET', ['slack', 'signingSecret'], String],
  ['BREACHLINE_SLACK_CHANNEL', ['slack', 'incidentChannel'], String],
  ['BREACHLINE_INGRESS_PORT', ['ingress', 'port'], int],
  ['BREACHLINE_INGRESS_SOURCES', ['ingress', 'sources'], json],
  ['BREACHLINE_RUNBOOK_DIR', ['runbookDir'], String],
  ['BREACHLINE_ROLES', ['roles'], json],
  ['BREACHLINE_DATA_DIR', ['dataDir'], String],
  ['BREACHLINE_LOG_LEVEL', ['logLevel'], String],
  // Alert storms (issue 15, item 3).
  ['BREACHLINE_INGRESS_DURABLE', ['ingress', 'durable'], bool],
  ['BREACHLINE_INGRESS_ALERTS_TOPIC', ['ingress', 'alertsTopic'], String],
  ['BREACHLINE_INGRESS_WORKERS', ['ingress', 'workers'], int],
  ['BREACHLINE_INGRESS_COALESCE', ['ingress', 'coalesce', 'enabled'], bool],
];

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
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  } else {
    const c = result.data;
    if (c.kafka.brokers && (!c.kafka.username || !c.kafka.password)) problems.push('kafka: brokers configured without username and password');
    if (c.vault.address && !c.vault.token) problems.push('vault: address configured without token');
    if (c.slack.apiUrl && (!c.slack.botToken || !c.slack.signingSecret)) problems.push('slack: apiUrl configured without botToken and signingSecret');
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}
