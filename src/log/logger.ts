import pino, { type Logger, type LoggerOptions } from 'pino';
import { CENSOR, collectSecretValues, redactDeep, redactSecrets } from './redact';

export { collectSecretValues, redactSecrets, SECRET_KEY_NAMES } from './redact';

export type { Logger } from 'pino';

/**
 * Paths pino's own redaction censors at the top levels. Kept as a second line: the deep walk in
 * {@link createLogger} censors these names (and {@link SECRET_KEY_NAMES}) at any depth.
 */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  '*.password',
  'token',
  '*.token',
  '*.*.token',
  'secret',
  '*.secret',
  '*.signingSecret',
  '*.botToken',
  '*.rootToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  '*.saslPassword',
  '*.clientSecret',
  'payload',
  '*.payload',
  'pii',
  '*.pii',
];

/** Options for {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Component name, written as `component` on every line. */
  name: string;
  /** @default process.env.BREACHLINE_LOG_LEVEL ?? 'info' */
  level?: string;
  /** Where lines go; tests pass a stream to capture them. @default stdout */
  destination?: pino.DestinationStream;
  /**
   * Secret values known to the process (configured passwords, tokens, HMAC secrets): scrubbed
   * from every string of every line, error messages and stacks included. Values under a secret
   * key name in the same line or in a child's bindings are scrubbed without being listed here.
   */
  secretValues?: readonly string[];
}

/**
 * Creates the structured JSON logger every component uses. Child loggers add `incidentId`, `step`
 * and `correlationId` so one incident's lines can be followed across ingress, worker and Slack.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  // Secrets known by value: the configured ones, and those seen under a secret key in a child's
  // bindings (so that child's later lines cannot spell them out in an error message either).
  const known = new Set(options.secretValues ?? []);
  // Every line's fields are walked: secret-named keys are censored at any depth, and the values
  // they held (plus the known ones) are scrubbed from every other string, so a password inside a
  // nested config and inside an error message about that config both disappear.
  const scrub = (fields: Record<string, unknown>): Record<string, unknown> => redactDeep(fields, collectSecretValues(fields, new Set(known))) as Record<string, unknown>;
  const opts: LoggerOptions = {
    level: options.level ?? process.env.BREACHLINE_LOG_LEVEL ?? 'info',
    base: { component: options.name },
    redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: scrub, bindings: scrub },
    // The walk already turned errors into plain objects; pino's serializer would re-read them.
    serializers: { err: (e: unknown) => e, error: (e: unknown) => e },
    hooks: {
      // The message string is not part of the fields: scrub it of the same values.
      logMethod(args, method) {
        let [first, ...rest] = args as unknown[];
        // pino would take a lone error's message as the line's message, unscrubbed.
        if (first instanceof Error && typeof rest[0] !== 'string') rest = [first.message, ...rest];
        if (first instanceof Error) first = { err: first };
        const values = collectSecretValues(first, new Set(known));
        const cleaned = rest.map((a) => (typeof a === 'string' ? redactSecrets(a, values) : a));
        const head = typeof first === 'string' ? redactSecrets(first, values) : first;
        return method.apply(this, [head, ...cleaned] as Parameters<typeof method>);
      },
    },
  };
  const logger = options.destination ? pino(opts, options.destination) : pino(opts);
  // pino applies `formatters.bindings` to the root only; children are scrubbed here. Children
  // inherit this method, so grandchildren are too.
  const plainChild = logger.child as unknown as (this: unknown, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) => Logger;
  const scrubbingChild = function (this: unknown, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions): Logger {
    if (known.size < MAX_LEARNED_SECRETS) for (const v of collectSecretValues(bindings)) known.add(v);
    return plainChild.call(this, scrub(bindings), childOptions);
  };
  logger.child = scrubbingChild as unknown as Logger['child'];
  return logger;
}

/** Most secret values learned from child bindings; a ceiling, not an expected number. */
const MAX_LEARNED_SECRETS = 1000;

/** A logger that writes nothing; for libraries used without a configured logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
