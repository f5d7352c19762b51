import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { reachInstance } from '../../app/reach';
import { defaultStateFile, readRunState } from '../../app/state-file';
import { parseScenario, scenarioAlertPayload, SCENARIOS } from '../../drill/scenario-registry';
import { signPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../ingress/auth';

/** Registers `breachline alert`: a scripted SIEM alert to the running ingress. */
export function registerAlertCommand(program: Command): void {
  program
    .command('alert')
    .description('send a correctly signed SIEM alert for a scenario to the running ingress')
    .requiredOption('--scenario <name>', `scenario (${SCENARIOS.join(', ')})`, parseScenario)
    .option('--source <source>', 'SIEM source the alert comes from (scripted payloads exist for generic)', 'generic')
    .option('--state-file <path>', 'state file of the running instance (default .breachline/run.json)')
    .option('--anyway', 'send the alert although the running sandbox holds another scenario')
    .action(async (opts: { scenario: ReturnType<typeof parseScenario>; source: string; stateFile?: string; anyway?: boolean }) => {
      if (opts.source !== 'generic') throw new Error(`no scripted ${opts.source} payload: use --source generic`);
      const state = await readRunState(opts.stateFile ?? defaultStateFile());
      const seeded = state.scenario?.name;
      if (seeded !== undefined && seeded !== opts.scenario && opts.anyway !== true) {
        // The sandbox holds one scenario's traffic: another's alert would start a playbook with
        // nothing to find (a leaked token nobody minted, forged trades nobody wrote) and fail.
        throw new Error(
          `the running sandbox holds the ${seeded} scenario, not ${opts.scenario}: ` +
            `\`breachline drill run --scenario ${opts.scenario}\` seeds it on a fresh drill range, runs its playbook and scores the response ` +
            `(--anyway sends the alert regardless)`,
        );
      }
      const creds = state.ingress.sources.generic;
      if (!creds?.hmacSecret && !creds?.bearerToken) throw new Error('the running instance has no credentials for the generic source in its state file');
      const body = JSON.stringify(scenarioAlertPayload(opts.scenario, new Date(), `cli-${randomUUID().slice(0, 8)}`));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (creds.hmacSecret) {
        const ts = String(Math.floor(Date.now() / 1000));
        headers[TIMESTAMP_HEADER] = ts;
        headers[SIGNATURE_HEADER] = signPayload(creds.hmacSecret, ts, body);
      }
      if (creds.bearerToken) headers.authorization = `Bearer ${creds.bearerToken}`;
      const res = await reachInstance(`${state.ingress.url}/v1/alerts/generic`, { method: 'POST', headers, body });
      const text = await res.text();
      process.stdout.write(`${res.status} ${text}\n`);
      if (res.status !== 202) process.exitCode = 1;
    });
}
