import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { ALICE, EVE, PREFIX, bootstrap, requireKcat, run, startConformanceBroker } from './helpers';

/** kcat (librdkafka 2.x) against the sandbox over SASL_PLAINTEXT with SCRAM-SHA-512. */
describe('kcat conformance', () => {
  let sandbox: RunningKafkaSandbox;
  const topic = `${PREFIX}kcat`;
  const kcat = (who: { username: string; password: string }, args: readonly string[], input?: string) =>
    run('kcat', ['-b', bootstrap(sandbox), '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-512',
      '-X', `sasl.username=${who.username}`, '-X', `sasl.password=${who.password}`, ...args], { input, timeoutMs: 20_000 });

  beforeAll(async () => {
    requireKcat();
    sandbox = await startConformanceBroker();
    sandbox.broker.createTopic(topic, 2);
    sandbox.broker.createTopic('other-team', 1);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists brokers and the topics the principal may describe (-L)', async () => {
    const res = await kcat(ALICE, ['-L', '-J']);
    expect(res.code, res.stderr).toBe(0);
    const meta = JSON.parse(res.stdout) as { brokers: Array<{ id: number; name: string }>; topics: Array<{ topic: string; partitions: unknown[] }> };
    expect(meta.brokers).toEqual([{ id: sandbox.broker.nodeId, name: bootstrap(sandbox) }]);
    // other-team and the access-log topic are left out: alice may not DESCRIBE them.
    expect(meta.topics.map((t) => [t.topic, t.partitions.length])).toEqual([[topic, 2]]);
  });

  it('produces keyed records and consumes them back with keys, partitions and offsets', async () => {
    const produced = await kcat(ALICE, ['-P', '-t', topic, '-p', '1', '-K', ':'], 'k1:first\nk2:second\nk3:third\n');
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await kcat(ALICE, ['-C', '-t', topic, '-p', '1', '-o', 'beginning', '-e', '-f', '%k=%s@%o\n']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['k1=first@0', 'k2=second@1', 'k3=third@2']);
    expect(sandbox.broker.topics.get(topic)?.partitions[1]?.logEndOffset).toBe(3);
  });

  it('consumes in a group (-G) and commits, so a second run reads nothing twice', async () => {
    const group = `${PREFIX}kcat-group`;
    const args = ['-G', group, '-X', 'auto.offset.reset=earliest', '-e', '-f', '%s\n', topic];
    const first = await kcat(ALICE, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(['first', 'second', 'third']);
    await kcat(ALICE, ['-P', '-t', topic, '-p', '0'], 'fourth\n');
    const second = await kcat(ALICE, args);
    expect(second.stdout.trim().split('\n')).toEqual(['fourth']);
  });

  it('shows a second principal without topic ACLs the authorization error', async () => {
    const produced = await kcat(EVE, ['-P', '-t', topic, '-p', '0', '-X', 'message.timeout.ms=5000'], 'stolen\n');
    expect(produced.stderr).toMatch(/Topic authorization failed/i);
    const consumed = await kcat(EVE, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e']);
    expect(consumed.code).not.toBe(0);
    expect(consumed.stderr).toMatch(/Topic authorization failed/i);
    expect(consumed.stdout).not.toContain('first');
  });
});
