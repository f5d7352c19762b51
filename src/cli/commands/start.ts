import { join } from 'node:path';
import type { Command } from 'commander';
import { appLogger } from '../../app/logging';
import { defaultReportDir, startBreachline } from '../../app/start';
import { defaultStateFile } from '../../app/state-file';
import { loadConfig } from '../../config/config';

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

/** Registers `breachline start`, the main command. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start breachline: every unconfigured system as an embedded sandbox, the worker, ingress and the Slack app')
    .option('--ingress-port <port>', 'ingress port (default: config ingress.port, 8080)', port)
    .option('--slack-port <port>', 'Slack app request URL port', port, 3000)
    .option('--state-file <path>', 'where to write the addresses the other commands read (default .breachline/run.json)')
    .option('--verbose', 'log JSON lines to stderr instead of .breachline/breachline.log')
    .action(async (opts: { ingressPort?: number; slackPort: number; stateFile?: string; verbose?: boolean }) => {
      const config = loadConfig();
      const logFile = join(process.cwd(), '.breachline', 'breachline.log');
      const logger = appLogger({ level: config.logLevel, file: logFile, verbose: opts.verbose === true });
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      out('breachline: starting…');
      const started = Date.now();
      const app = await startBreachline({
        config,
        logger,
        slackPort: opts.slackPort,
        ...(opts.ingressPort !== undefined ? { ingressPort: opts.ingressPort } : {}),
        stateFile: opts.stateFile ?? defaultStateFile(),
        reportDir: defaultReportDir(),
      });
      const s = app.state;
      const sandbox = (name: string): string => (s.embedded.includes(name) ? ' (embedded sandbox)' : '');
      out(`breachline: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      out(`  temporal   ${s.temporal.address}${sandbox('temporal')}; workers on ${s.temporal.taskQueue} and ${s.temporal.drillTaskQueue} (drills: sandbox only)`);
      out(`  kafka      ${s.embedded.includes('kafka') ? 'embedded sandbox' : 'configured'}${s.scenario ? `, scenario ${s.scenario.name} seeded (${s.scenario.compromised} reading ${s.scenario.topic})` : ''}`);
      out(`  vault      ${s.embedded.includes('vault') ? 'embedded sandbox' : 'configured'}`);
      out(`  ingress    ${s.ingress.url}/v1/alerts/:source`);
      if (s.slack) out(`  slack app  ${s.slack.requestUrl}${sandbox('slack')}`);
      out(`  logs       ${opts.verbose ? 'stderr' : logFile}`);
      out('next, in another terminal:');
      out('  bin/breachline alert --scenario trading-exfiltration');
      if (s.slack) out(`  bin/breachline slack '${s.slack.command} status <incidentId>'`);
      out('  bin/breachline drill run');
      out('Ctrl-C stops everything.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      out('breachline: stopping…');
      await app.close();
      logger.flush?.();
      out('breachline: stopped');
      // A client library holding a socket must not keep a stopped instance alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
    });
}
