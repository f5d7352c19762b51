import type { Command } from 'commander';
import { createLogger } from '../../log/logger';
import { registerSlackLogCommand } from '../../sandbox/slack/log-command';
import { parseSandboxNames, startSandboxes } from '../../sandbox/up';

/** Registers `breachline sandbox …`. */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command('sandbox').description('wire-compatible stand-ins for Temporal, Kafka, Vault and Slack');
  sandbox
    .command('up')
    .description('start sandbox servers and print their addresses; stays up until interrupted')
    .option('--only <names>', 'comma-separated subset: temporal,kafka,vault,slack', parseSandboxNames)
    .option('--data-dir <dir>', 'journal state here so it survives a restart')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { only?: ReturnType<typeof parseSandboxNames>; dataDir?: string; host: string; json?: boolean }) => {
      const logger = createLogger({ name: 'sandbox', destination: process.stderr });
      const set = await startSandboxes({ only: opts.only, dataDir: opts.dataDir, host: opts.host, logger });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(Object.fromEntries(set.servers.map((s) => [s.name, s.connection])))}\n`);
      } else {
        for (const s of set.servers) {
          process.stdout.write(`${s.name.padEnd(9)} ${s.address}\n`);
          for (const [k, v] of Object.entries(s.connection)) process.stdout.write(`          ${k}: ${Array.isArray(v) ? v.join(',') : String(v)}\n`);
        }
        process.stdout.write('sandbox up; Ctrl-C stops it\n');
      }
      await waitForSignal();
      await set.close();
    });
  registerSlackLogCommand(sandbox);
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
