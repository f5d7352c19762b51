import type { Command } from 'commander';
import { slackLog, startStandIns } from '../../app/sandbox-door';
import { parseSystemNames, SYSTEMS, type SystemName } from '../../config/systems';
import { createLogger } from '../../log/logger';

/** Registers `breachline sandbox …`. */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command('sandbox').description('wire-compatible stand-ins for Temporal, Kafka, Vault and Slack');
  sandbox
    .command('up')
    .description('start sandbox servers and print their addresses; stays up until interrupted')
    .option('--only <names>', 'comma-separated subset: temporal,kafka,vault,slack', parseSystemNames)
    .option('--data-dir <dir>', 'journal state here so it survives a restart')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { only?: SystemName[]; dataDir?: string; host: string; json?: boolean }) => {
      const logger = createLogger({ name: 'sandbox', destination: process.stderr });
      const set = await startStandIns(opts.only ?? SYSTEMS, { host: opts.host, logger, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
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
  sandbox
    .command('slack-log')
    .description('show the calls and messages the Slack sandbox recorded')
    .option('--url <url>', 'API URL of a running Slack sandbox (as printed by sandbox up)', process.env.BREACHLINE_SLACK_API_URL)
    .option('--data-dir <dir>', 'read the journal a sandbox wrote here instead')
    .option('--method <name>', 'only calls to this Web API method (e.g. chat.postMessage)')
    .option('--messages', 'also list messages')
    .option('--json', 'print the record as one JSON object')
    .action(async (opts: { url?: string; dataDir?: string; method?: string; messages?: boolean; json?: boolean }) => {
      process.stdout.write(await slackLog({ url: opts.url, dataDir: opts.dataDir }, opts));
    });
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
