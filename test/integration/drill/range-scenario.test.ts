import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillRange } from '../../../src/drill/range';
import type { DrillScenario, ScenarioSeedContext } from '../../../src/drill/scenario-registry';
import type { ConversationPort } from '../../../src/slack';

/*
 * The drill range seeds any scenario through the registry's interface: the scenario gets a fresh
 * Kafka and Vault, the drill Vault's audit device writes to a file the scenario can read, and the
 * deps the scenario returns replace the range's in that drill's playbook activities.
 */

let range: DrillRange;

beforeAll(async () => {
  range = await DrillRange.start({});
}, 60_000);

afterAll(async () => {
  await range?.close();
});

/** A scenario that writes a secret, reads the audit file for it, and routes messages to its own conversation port. */
function auditReadingScenario(posted: string[], seen: ScenarioSeedContext[]): DrillScenario {
  const conversation = {
    postIncidentMessage: (m: { text: string }) => {
      posted.push(m.text);
      return Promise.resolve({ channelId: 'C-FAKE', ts: '1.0' });
    },
  } as unknown as ConversationPort;
  return {
    name: 'audit-reader',
    runbookId: 'none',
    alertPayload: () => ({}),
    alertInject: 'n/a',
    async seed(ctx) {
      seen.push(ctx);
      await ctx.secrets.writeSecret('drill/leaked', { token: 'hvs.not-for-the-log' });
      const file = ctx.vault.auditLogFile;
      if (file === undefined) throw new Error('no audit log file in the seed context');
      const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; request: { path: string } });
      return {
        truth: { scenario: 'audit-reader', writes: lines.filter((l) => l.type === 'response' && l.request.path === 'secret/data/drill/leaked').length, raw: await readFile(file, 'utf8') },
        deps: { conversation },
      };
    },
    accuracy: () => [],
  };
}

describe('drill range with a registry scenario', () => {
  it("gives the scenario a readable Vault audit log and uses the scenario's deps in the drill's activities", async () => {
    const posted: string[] = [];
    const seen: ScenarioSeedContext[] = [];
    const truth = await range.prepare(auditReadingScenario(posted, seen), new Date());
    expect(truth.writes).toBe(1);
    // The audit device HMACs secret values: the file a scenario reads never holds them in clear.
    expect(String(truth.raw)).not.toContain('hvs.not-for-the-log');
    expect(seen[0]?.vault.auditLogFile).toBe(range.vaultAuditLogFile);
    expect(seen[0]?.vault.token).not.toBe('');
    expect(seen[0]?.kafka.brokers).toEqual(range.kafkaConnection?.brokers);

    const out = await range.activities.notify({ incidentId: 'drill-x-incident', text: 'from the scenario deps' });
    expect(out).toMatchObject({ posted: true, ref: { channelId: 'C-FAKE' } });
    expect(posted).toEqual(['from the scenario deps']);
  }, 60_000);

  it('starts each drill on a fresh Vault with a fresh audit file, and removes the previous one', async () => {
    const first = range.vaultAuditLogFile as string;
    expect(existsSync(first)).toBe(true);
    const truth = await range.prepare(auditReadingScenario([], []), new Date());
    expect(truth.writes).toBe(1);
    expect(range.vaultAuditLogFile).not.toBe(first);
    expect(existsSync(dirname(first))).toBe(false);
  }, 60_000);

  it('refuses a scenario the registry does not know before touching the cluster', async () => {
    const before = range.kafkaConnection?.brokers;
    await expect(range.prepare('no-such-scenario', new Date())).rejects.toThrow(/unknown scenario no-such-scenario/);
    expect(range.kafkaConnection?.brokers).toEqual(before);
  });
});
