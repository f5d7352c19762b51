import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { appLogger } from '../../app/logging';
import { temporalSecurity } from '../../app/secured-connections';
import { defaultReportDir, startBreachline } from '../../app/start';
import { defaultStateFile, readRunState, type RunState } from '../../app/state-file';
import { loadConfig } from '../../config/config';
import { parseDuration } from '../../domain/duration';
import { createDrillPort, type DrillPort } from '../../drill/port';
import { DEFAULT_DRILL_SCENARIO, parseScenario, SCENARIOS } from '../../drill/scenario-registry';
import { silentLogger } from '../../log/logger';
import { payloadEncryptionForRunState } from '../../temporal/data-converter';

/** A drill port on the running instance, or on one started in this process when none runs. */
async function withDrillPort<T>(stateFile: string | undefined, allowInProcess: boolean, use: (port: DrillPort) => Promise<T>): Promise<T> {
  const state = await readRunState(stateFile ?? defaultStateFile()).catch(() => undefined);
  if (state && alive(state)) {
    // A configured (possibly TLS / API-key) frontend: its security comes from this process's config.
    const security = state.temporal.embedded ? {} : temporalSecurity(loadConfig().temporal);
    const { dataConverter } = payloadEncryptionForRunState(state, configuredVault, silentLogger);
    const connection = await Connection.connect({ address: state.temporal.address, ...security });
    try {
      return await use(createDrillPort({ client: new Client({ connection, namespace: state.temporal.namespace, dataConverter }), drillTaskQueue: state.temporal.drillTaskQueue }));
    } finally {
      await connection.close();
    }
  }
  if (!allowInProcess) throw new Error('no running breachline found: start one with `npm start`');
  const config = loadConfig();
  const logger = appLogger({ level: config.logLevel, file: join(process.cwd(), '.breachline', 'drill.log'), verbose: false });
  process.stderr.write('no running breachline: starting one in this process for the drill…\n');
  const app = await startBreachline({ config, logger, ingressPort: 0, slackPort: 0, consolePort: 0, stateFile: false, reportDir: defaultReportDir(), seed: false });
  try {
    return await use(app.drills);
  } finally {
    await app.close();
  }
}

/** The configured Vault, for reading an instance's encrypted payloads when its Vault is not embedded. */
function configuredVault(): { address: string; token: string } | undefined {
  const { vault } = loadConfig();
  return vault.address !== undefined && vault.token !== undefined ? { address: vault.address, token: vault.token } : undefined;
}

function alive(state: RunState): boolean {
  try {
    process.kill(state.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Registers `breachline drill …`. */
export function registerDrillCommand(program: Command): void {
  const drill = program.command('drill').description('tabletop drills: the real playbook in drill mode, against the embedded sandbox only');
  drill
    .command('run')
    .description('run one drill to completion and print its after-action report')
    .option('--scenario <name>', `scenario to seed on the drill range (${SCENARIOS.join(', ')})`, parseScenario, DEFAULT_DRILL_SCENARIO)
    .option('--auto-respond-after <duration>', "automated responders approve and file this long after each is due ('none': wait for people)", '2s')
    .option('--timeout <duration>', 'how long responders have', '10m')
    .option('--state-file <path>', 'state file of the running instance (default .breachline/run.json)')
    .action(async (opts: { scenario: string; autoRespondAfter: string; timeout: string; stateFile?: string }) => {
      const autoRespondAfterMs = opts.autoRespondAfter === 'none' ? undefined : parseDuration(opts.autoRespondAfter);
      const result = await withDrillPort(opts.stateFile, true, async (port) => {
        const { workflowId } = await port.start({ scenario: opts.scenario, responderTimeoutMs: parseDuration(opts.timeout), ...(autoRespondAfterMs !== undefined ? { autoRespondAfterMs } : {}) });
        process.stderr.write(`drill ${workflowId} started\n`);
        return port.result(workflowId);
      });
      process.stdout.write(`${result.markdown}\nreport written to ${result.path}\n`);
    });
  drill
    .command('schedule')
    .description("schedule a drill on the running instance's Temporal, e.g. '0 9 * * 1' or '@every 1h'")
    .argument('<cron>', 'cron expression (or @every <duration>)')
    .argument('<scenario>', `scenario (${SCENARIOS.join(', ')})`)
    .option('--auto-respond-after <duration>', 'play the responders (default: people respond)')
    .option('--timeout <duration>', 'how long responders have', '30m')
    .option('--state-file <path>', 'state file of the running instance (default .breachline/run.json)')
    .action(async (cron: string, scenario: string, opts: { autoRespondAfter?: string; timeout: string; stateFile?: string }) => {
      const { scheduleId } = await withDrillPort(opts.stateFile, false, (port) =>
        port.schedule(cron, parseScenario(scenario), { responderTimeoutMs: parseDuration(opts.timeout), ...(opts.autoRespondAfter ? { autoRespondAfterMs: parseDuration(opts.autoRespondAfter) } : {}) }),
      );
      process.stdout.write(`scheduled ${scheduleId}: ${scenario} on '${cron}'\n`);
    });
  drill
    .command('schedules')
    .description('list drill schedules')
    .option('--state-file <path>', 'state file of the running instance (default .breachline/run.json)')
    .action(async (opts: { stateFile?: string }) => {
      const list = await withDrillPort(opts.stateFile, false, (port) => port.listSchedules());
      if (list.length === 0) process.stdout.write('no drill schedules\n');
      for (const s of list) process.stdout.write(`${s.scheduleId}  ${s.scenario ?? '?'}  ${s.paused ? 'paused' : `next ${s.nextRunAt ?? '—'}`}\n`);
    });
  drill
    .command('unschedule')
    .description('delete a drill schedule')
    .argument('<scheduleId>')
    .option('--state-file <path>', 'state file of the running instance (default .breachline/run.json)')
    .action(async (scheduleId: string, opts: { stateFile?: string }) => {
      await withDrillPort(opts.stateFile, false, (port) => port.deleteSchedule(scheduleId));
      process.stdout.write(`deleted ${scheduleId}\n`);
    });
}
