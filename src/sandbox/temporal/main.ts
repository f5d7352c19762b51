import { createLogger } from '../../log/logger';
import { TemporalSandboxServer } from './sandbox';

/** Parsed command line of `bin/temporal-sandbox`. */
export interface SandboxArgs {
  port: number;
  dataDir?: string;
  timeSkipping: boolean;
}

/**
 * `temporal-sandbox <port> [--data-dir DIR] [--no-time-skipping]`. Anything else is ignored: the
 * SDK's test environment appends arguments meant for the Java test server.
 */
export function parseArgs(argv: readonly string[]): SandboxArgs {
  const port = Number(argv[0] ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${String(argv[0])}`);
  const args: SandboxArgs = { port, timeSkipping: true };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--data-dir' && argv[i + 1]) args.dataDir = argv[++i];
    else if (argv[i] === '--no-time-skipping') args.timeSkipping = false;
  }
  return args;
}

/** Starts the server from the command line and keeps it running until SIGINT or SIGTERM. */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const logger = createLogger({ name: 'temporal-sandbox', level: process.env.BREACHLINE_LOG_LEVEL ?? 'warn' });
  const server = await TemporalSandboxServer.start({ host: '127.0.0.1', port: args.port, dataDir: args.dataDir, timeSkipping: args.timeSkipping, logger });
  process.stdout.write(`temporal sandbox listening on ${server.address}\n`);
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
