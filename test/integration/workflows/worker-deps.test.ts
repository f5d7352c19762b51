import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config';
import { silentLogger } from '../../../src/log/logger';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import type { SandboxSet } from '../../../src/sandbox/up';
import { buildDeps, resolveEndpoints } from '../../../worker/deps';

const started: Array<SandboxSet | RunningVaultSandbox> = [];
afterAll(async () => {
  for (const s of started) await s.close();
});

describe('worker endpoints and deps', () => {
  it('starts an embedded sandbox for every system without an address, and the deps work against them', async () => {
    const config = loadConfig({ env: {} });
    const { endpoints, sandboxes } = await resolveEndpoints(config, silentLogger);
    if (sandboxes) started.push(sandboxes);
    expect(sandboxes?.servers.map((s) => s.name).sort()).toEqual(['kafka', 'slack', 'temporal', 'vault']);
    expect(endpoints.temporal.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const deps = buildDeps(config, endpoints, silentLogger);
    await deps.secrets.writeSecret('kafka/service-accounts/probe', { username: 'probe', password: 'x', mechanism: 'SCRAM-SHA-512' });
    expect((await deps.secrets.readSecret('kafka/service-accounts/probe')).data.username).toBe('probe');
    expect(await deps.conversation?.postIncidentMessage({ channel: '#incidents', text: 'worker deps probe' })).toMatchObject({ ts: expect.any(String) });
    expect(deps.auditTopic).toBe('breachline.audit');
  });

  it('uses a configured system as is and embeds only the others', async () => {
    const vault = await startVault({});
    started.push(vault);
    const config = loadConfig({ env: { BREACHLINE_VAULT_ADDRESS: vault.address, BREACHLINE_VAULT_TOKEN: vault.rootToken } });
    const { endpoints, sandboxes } = await resolveEndpoints(config, silentLogger);
    if (sandboxes) started.push(sandboxes);
    expect(sandboxes?.servers.map((s) => s.name).sort()).toEqual(['kafka', 'slack', 'temporal']);
    expect(endpoints.vault).toMatchObject({ address: vault.address, token: vault.rootToken });
  });
});
