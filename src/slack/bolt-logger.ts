import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../log/logger';

/** Slack tokens (`xoxb-…`, `xapp-…`, …) wherever they appear inside free text. */
const TOKEN_PATTERN = /\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+/g;

/** Removes anything that looks like a Slack token, and the given secrets, from a string. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(TOKEN_PATTERN, '[redacted]');
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * Bridges the Slack SDKs' logger interface to our pino logger. The SDKs log free text that pino's
 * path-based redaction cannot see into, so every message is scrubbed of tokens and of the secrets
 * passed here before it is written.
 */
export function toSlackLogger(logger: Logger, secrets: readonly string[]): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error', msg: unknown[]): void => {
    const text = msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : safeJson(m))).join(' ');
    logger[method]({ sdk: 'slack' }, scrubSecrets(text, secrets));
  };
  return {
    debug: (...msg: unknown[]) => write('debug', msg),
    info: (...msg: unknown[]) => write('info', msg),
    warn: (...msg: unknown[]) => write('warn', msg),
    error: (...msg: unknown[]) => write('error', msg),
    // The SDKs call setLevel on loggers they are given; pino's own level stays authoritative.
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
