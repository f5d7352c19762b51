import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionActivities } from '../../../activities/actions/index';
import type { GenericActionInput } from '../../../src/actions/contract';
import type { PageParams } from '../../../src/actions/page';
import type { TicketParams } from '../../../src/actions/ticket';
import { startServiceStandIns, type RunningServiceStandIn } from '../../../src/app/sandbox-door';
import { seedStandInCredentials, standInEndpoints } from '../../../src/app/stand-ins';
import { loadConfig } from '../../../src/config/config';
import { parseSandboxNames, planServiceStandIns, planSystems } from '../../../src/config/systems';
import { silentLogger } from '../../../src/log/logger';
import type { RunningJiraSandbox } from '../../../src/sandbox/jira/index';
import type { RunningPagerDutySandbox } from '../../../src/sandbox/pagerduty/index';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault/index';
import { createVaultSecrets } from '../../../src/vault/index';
import { PRODUCTION_ENV } from '../../support/production-env';

// Issue 17 ("standins"): `breachline start --sandbox pagerduty,jira` on a production config starts
// exactly those two stand-ins through the sandbox door, and the actions reach them.

const production = PRODUCTION_ENV;

const context = { incidentId: 'incident-17', runbookId: 'kafka-exfiltration', severity: 'high', title: 'Exfiltration by reporter', principal: 'User:reporter' };
const input = <P>(stepId: string, params: P): GenericActionInput<P> => ({ incidentId: 'incident-17', stepId, stepKey: `incident-17/${stepId}/1`, params, context });

let services: RunningServiceStandIn[] = [];
let vault: RunningVaultSandbox | undefined;
beforeAll(async () => {
  const config = loadConfig({ env: production });
  const request = parseSandboxNames('pagerduty,jira');
  const plan = planSystems(config, request.systems);
  services = await startServiceStandIns(planServiceStandIns(config, plan.mode, request.services));
  vault = await startVault({});
});
afterAll(async () => {
  await Promise.all([...services.map((s) => s.close()), vault?.close()]);
});

describe('--sandbox pagerduty,jira through the sandbox door', () => {
  it('starts exactly the named stand-ins; a page and a ticket from the actions land in them', async () => {
    expect(services.map((s) => s.name)).toEqual(['pagerduty', 'jira']);
    const endpoints = standInEndpoints(services);
    expect(endpoints).toEqual({ pagerduty: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), jira: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });

    const secrets = createVaultSecrets({ address: vault!.address, token: vault!.rootToken });
    await seedStandInCredentials(secrets, services);
    // The kafka connection is never dialled by page or ticket.
    const acts = createActionActivities({ kafka: { brokers: ['127.0.0.1:1'], saslMechanism: 'scram-sha-512', username: 'unused', password: 'unused', ssl: false }, secrets, logger: silentLogger, endpoints });

    const page = await acts.actionPage(input<PageParams>('page-oncall', { credential: 'breachline/pagerduty#routing_key' }));
    expect(page.summary).toContain('paged through PagerDuty');
    const ticket = await acts.actionTicket(input<TicketParams>('open-ticket', { credential: 'breachline/jira#basic', project: 'SEC', issueType: 'Incident' }));
    expect(ticket.summary).toMatch(/SEC-\d+/);

    const pd = services.find((s) => s.name === 'pagerduty') as unknown as RunningPagerDutySandbox;
    const jira = services.find((s) => s.name === 'jira') as unknown as RunningJiraSandbox;
    expect(pd.alerts()).toEqual([expect.objectContaining({ dedupKey: 'breachline:incident-17:page-oncall', status: 'triggered' })]);
    expect(jira.issues()).toHaveLength(1);
    expect(JSON.stringify(jira.issues()[0])).toContain('breachline-incident-incident-17');
  });
});
