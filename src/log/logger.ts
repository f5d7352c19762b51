import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear in a log record. Secrets and personal data must never
 * reach a log line in clear text, even when a caller logs a whole request or config object.
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
}

/**
 * Creates the structured JSON logger every component uses. Child loggers add `incidentId`, `step`
 * and `correlationId` so one incident's lines can be followed across ingress, worker and Slack.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env.BREACHLINE_LOG_LEVEL ?? 'info',
    base: { component: options.name },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing; for libraries used without a configured logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
