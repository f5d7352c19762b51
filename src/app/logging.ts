import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { createLogger, type Logger } from '../log/logger';

/**
 * The main command's logger: JSON lines to a file, so the terminal shows only the few lines a
 * person needs; `verbose` sends them to stderr instead.
 */
export function appLogger(options: { level: string; file: string; verbose: boolean; secretValues?: Iterable<string> }): Logger {
  // Configured secrets are scrubbed by value wherever they would appear (messages, error stacks).
  const secrets = options.secretValues !== undefined ? { secretValues: [...options.secretValues] } : {};
  if (options.verbose) return createLogger({ name: 'breachline', level: options.level, destination: process.stderr, ...secrets });
  mkdirSync(dirname(options.file), { recursive: true });
  return createLogger({ name: 'breachline', level: options.level, destination: pino.destination({ dest: options.file, sync: false, mkdir: true }), ...secrets });
}
