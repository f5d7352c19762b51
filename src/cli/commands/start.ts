import { collectSecretValues } from '../../log/redact';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { appLogger } from '../../app/logging';
import { defaultReportDir, startBreachline } from '../../app/start';
import { defaultStateFile, type RunState } from '../../app/state-file';
import { ConfigError, loadConfig } from '../../config/config';
import { parseSandboxNames, type SandboxRequest } from '../../config/systems';

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

/** Registers `breachline start`, the main command. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start breachline: the worker, ingress and the Slack app; with no address configured, the sandbox demo, durable under .breachline/data')
    .option('--ingress-port <port>', 'ingress port (default: config ingress.port, 8080)', port)
    .option('--slack-port <port>', 'Slack app request URL port', port, 3000)
    .option('--console-port <port>', 'incident console port (default: config console.port, 8790)', port)
    .option('--state-file <path>', 'where to write the addresses the other commands read (default .breachline/run.json)')
    .option('--data-dir <dir>', 'where the sandboxes keep their state (default: BREACHLINE_DATA_DIR, else .breachline/data)')
    .option('--ephemeral', 'keep the sandboxes in memory: a throwaway demo, every incident is lost on stop')
    .option('--sandbox <systems>', 'stand sandboxes in for these systems although others are configured: temporal,kafka,vault,slack; and for the actions\' services: pagerduty,opsgenie,jira,webhook', parseSandboxNames)
    .option('--verbose', 'log JSON lines to stderr instead of .breachline/breachline.log')
    .action(async (opts: { ingressPort?: number; slackPort: number; consolePort?: number; stateFile?: string; dataDir?: string; ephemeral?: boolean; sandbox?: SandboxRequest; verbose?: boolean }) => {
      if (opts.ephemeral && opts.dataDir !== undefined) throw new ConfigError(['--ephemeral and --data-dir contradict each other; give one']);
      const config = loadConfig();
      const dataDir = opts.ephemeral ? undefined : resolve(opts.dataDir ?? config.dataDir ?? join(process.cwd(), '.breachline', 'data'));
      const faultKillAt = process.env.BREACHLINE_FAULT_KILL_AT;
      const workflowBundlePath = process.env.BREACHLINE_WORKFLOW_BUNDLE;
      const logFile = join(process.cwd(), '.breachline', 'breachline.log');
      const logger = appLogger({ level: config.logLevel, file: logFile, verbose: opts.verbose === true, secretValues: collectSecretValues(config) });
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      out('breachline: starting…');
      const started = Date.now();
      const app = await startBreachline({
        config,
        logger,
        slackPort: opts.slackPort,
        ...(opts.ingressPort !== undefined ? { ingressPort: opts.ingressPort } : {}),
        ...(opts.consolePort !== undefined ? { consolePort: opts.consolePort } : {}),
        stateFile: opts.stateFile ?? defaultStateFile(),
        reportDir: defaultReportDir(),
        ...(dataDir !== undefined ? { dataDir } : {}),
        ...(opts.sandbox?.systems ? { sandbox: opts.sandbox.systems } : {}),
        ...(opts.sandbox && opts.sandbox.services.length > 0 ? { sandboxServices: opts.sandbox.services } : {}),
        ...(faultKillAt ? { faultKillAt } : {}),
        ...(workflowBundlePath ? { workflowBundlePath } : {}),
      });
      const s = app.state;
      const sandbox = (name: string): string => (s.embedded.includes(name) ? ' (embedded sandbox)' : '');
      out(`breachline: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      for (const line of modeLines(s, opts.ephemeral === true)) out(line);
      out(`  temporal   ${s.temporal.address}${sandbox('temporal')}; workers on ${s.temporal.taskQueue} and ${s.temporal.drillTaskQueue} (drills: sandbox only)`);
      out(`  kafka      ${s.embedded.includes('kafka') ? 'embedded sandbox' : 'configured'}${s.scenario ? `, scenario ${s.scenario.name} ${s.scenario.seeded ? 'seeded' : 'already present'} (${s.scenario.compromised} reading ${s.scenario.topic})` : ''}`);
      out(`  vault      ${s.embedded.includes('vault') ? 'embedded sandbox' : 'configured'}`);
      out(`  ingress    ${s.ingress.url}/v1/alerts/:source`);
      if (s.slack) out(`  slack app  ${s.slack.requestUrl}${sandbox('slack')}`);
      if (s.console) out(`  console    ${s.console.publicUrl} (sign in: ${s.slack?.command ?? '/ir'} console in Slack)`);
      out(`  slack      ${s.embedded.includes('slack') ? 'embedded sandbox' : 'configured'}`);
      // Outside-service stand-ins of the generic actions (issue 17, "standins").
      for (const [name, address] of Object.entries(s.standIns ?? {})) out(`  ${name.padEnd(11)}${address} (${STAND_IN_ROLE[name] ?? 'stand-in'})`);
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

/** What the banner says about sandboxes and where state lives (design §5: the demo is announced). */
function modeLines(s: RunState, ephemeral: boolean): string[] {
  const lines: string[] = [];
  if (s.mode === 'demo') lines.push('  mode       SANDBOX DEMO: no BREACHLINE_* address configured, every system below is an embedded sandbox');
  else if (s.mode === 'mixed') lines.push(`  mode       configured systems, with sandboxes standing in for ${s.embedded.join(', ')} (--sandbox)`);
  else if (s.standIns === undefined) lines.push('  mode       every system configured; no sandbox');
  else lines.push(`  mode       every system configured; stand-ins for the actions' ${Object.keys(s.standIns).join(', ')} (--sandbox)`);
  if (s.codec) lines.push(`  temporal   payloads encrypted (Vault transit key ${s.codec.transitKey})${s.codec.endpoint ? `; codec endpoint ${s.codec.endpoint.url}` : ''}`);
  if (s.embedded.length > 0) {
    lines.push(
      s.dataDir !== undefined
        ? `  data       ${s.dataDir} (kept: a restart resumes every open incident; --ephemeral for a throwaway demo)`
        : `  data       in memory${ephemeral ? ' (--ephemeral)' : ''}: stopping loses every incident`,
    );
  }
  return lines;
}

/** What each outside-service stand-in in the banner stands in for (issue 17, "standins"). */
const STAND_IN_ROLE: Readonly<Record<string, string>> = {
  pagerduty: 'PagerDuty Events v2 stand-in for page steps',
  opsgenie: 'Opsgenie stand-in for page steps',
  jira: 'Jira stand-in for ticket steps',
  webhook: 'webhook receiver stand-in for http steps',
};
