import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { ALICE, EVE, PREFIX, bootstrap, buildSaramaClient, run, startConformanceBroker, type ClientRun } from './helpers';

interface Consumed { key: string; value: string; partition: number; offset: number; timestamp: number; headers: Record<string, string> }

const lines = <T>(res: ClientRun): T[] => res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T);

/**
 * Sarama, the Go client most Go services use (1.22 from Debian), against the sandbox: SCRAM-SHA-512
 * through SaslHandshake v1 + SaslAuthenticate v0 with an RFC 5802 exchange written in Go, then the
 * fixed request versions of `Config.Version = V0_11_0_0` (Sarama does not negotiate).
 */
describe('Sarama (Go) conformance', () => {
  let sandbox: RunningKafkaSandbox;
  let dir: string;
  let client: string;
  const topic = `${PREFIX}sarama`;
  const sarama = (mode: string, who: { username: string; password: string }, ...rest: string[]): Promise<ClientRun> =>
    run(client, [mode, bootstrap(sandbox), who.username, who.password, ...rest]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'breachline-sarama-'));
    client = await buildSaramaClient(dir);
    sandbox = await startConformanceBroker();
    sandbox.broker.createTopic(topic, 3);
  }, 300_000);
  afterAll(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('produces with keys, headers and timestamps, and a consumer group reads each record once with them', async () => {
    const produced = await sarama('produce', ALICE, topic, '6');
    expect(produced.code, produced.stderr).toBe(0);
    const sent = lines<{ produced: number; timestamp: number }>(produced);
    expect(sent).toHaveLength(6);

    const consumed = await sarama('consume', ALICE, topic, `${PREFIX}sarama-group`, '6');
    expect(consumed.code, consumed.stderr).toBe(0);
    const records = lines<Consumed>(consumed);
    expect(records.map((r) => r.key).sort()).toEqual(['order-0', 'order-1', 'order-2', 'order-3', 'order-4', 'order-5']);
    expect(new Set(records.map((r) => `${r.partition}:${r.offset}`)).size).toBe(6);
    for (const r of records) {
      const n = Number(r.key.slice('order-'.length));
      expect(r).toMatchObject({ value: `{"n":${n}}`, timestamp: sent[n]?.timestamp, headers: { source: 'sarama' } });
    }
    // Committed through OffsetCommit v1 (Sarama's default): the group's position is the log end of
    // every partition that had records.
    const committed = [0, 1, 2].map((p) => sandbox.broker.groups.committed(`${PREFIX}sarama-group`, topic, p)?.offset ?? 0n);
    const ends = [0, 1, 2].map((p) => BigInt(sandbox.broker.topics.partition(topic, p).logEndOffset));
    expect(committed).toEqual(ends);

    // A second run of the group sees only what was produced after the first.
    expect((await sarama('produce', ALICE, topic, '2')).code).toBe(0);
    const again = await sarama('consume', ALICE, topic, `${PREFIX}sarama-group`, '2');
    expect(again.code, again.stderr).toBe(0);
    expect(lines<Consumed>(again).map((r) => r.key).sort()).toEqual(['order-0', 'order-1']);
  });

  it('lists topics through Metadata v1', async () => {
    const res = await sarama('metadata', ALICE);
    expect(res.code, res.stderr).toBe(0);
    expect(lines<{ brokers: number; topics: string[] }>(res)[0]).toMatchObject({ brokers: 1, topics: expect.arrayContaining([topic]) });
  });

  it('refuses a wrong password with an authentication error', async () => {
    const res = await sarama('metadata', { username: ALICE.username, password: 'not-the-password' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/SASL|[Aa]uthenticat/);
  });

  it('shows a second principal without topic ACLs the authorization error', async () => {
    const res = await sarama('produce', EVE, topic, '1');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not authorized to access topics|TOPIC_AUTHORIZATION_FAILED|authoriz/i);
  });
});
