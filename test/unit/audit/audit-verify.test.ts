import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/audit/audit-reader';
import { verifyAuditTopic, type AuditTopicFacts } from '../../../src/audit/audit-verify';
import { checkpointBody, checkpointSigningInput, parseCheckpoint, verifyCheckpointSignature, type SignedCheckpoint } from '../../../src/domain/audit-checkpoint';
import { GENESIS_HASH, sealEvent } from '../../../src/domain/audit-chain';
import { fullHistory } from '../domain/history';

/*
 * The checkpoint format and the verify verdict without servers: what a third party holding only
 * the public key would check, on topics built record by record.
 */

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keys = new Map<number, KeyObject>([[1, publicKey]]);

function signed(body: ReturnType<typeof checkpointBody>, key = privateKey): SignedCheckpoint {
  return { ...body, signature: `vault:v1:${sign(null, checkpointSigningInput(body), key).toString('base64')}` };
}

/** A topic with incident `id`'s first `n` events and a checkpoint after every `every` events. */
function topic(id: string, n: number, every: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  fullHistory(id).events.slice(0, n).forEach((e, i) => {
    const s = sealEvent(e, prev);
    prev = s.hash;
    records.push({ partition: 0, offset: String(records.length), key: id, value: s });
    if ((i + 1) % every === 0 || i + 1 === n) records.push({ partition: 0, offset: String(records.length), key: id, value: signed(checkpointBody(id, s.seq, s.hash, BigInt(records.length - 1))) });
  });
  return records;
}

const facts = (records: AuditRecord[], extra: Partial<AuditTopicFacts> = {}): AuditTopicFacts => ({
  topic: 't',
  low: 0n,
  high: BigInt(records.length),
  partitions: 1,
  configs: { 'retention.ms': '-1' },
  records,
  ...extra,
});

describe('checkpoints', () => {
  it('sign the canonical JSON without the signature; any changed field or extra field fails', () => {
    const cp = signed(checkpointBody('inc-1', 3, 'a'.repeat(64), 7n));
    expect(checkpointSigningInput(cp).toString()).toBe(`{"incidentId":"inc-1","kind":"audit-checkpoint","lastHash":"${'a'.repeat(64)}","lastSeq":3,"topicOffset":"7","v":1}`);
    expect(verifyCheckpointSignature(cp, keys)).toEqual({ ok: true });
    expect(verifyCheckpointSignature({ ...cp, lastSeq: 4 }, keys)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyCheckpointSignature({ ...cp, signature: cp.signature.replace('vault:v1:', 'vault:v2:') }, keys)).toEqual({ ok: false, reason: 'no trusted public key for key version 2' });
    expect(parseCheckpoint({ ...cp, note: 'x' })).toEqual({ ok: false, reason: 'checkpoint has unsigned fields: note' });
    expect(parseCheckpoint({ ...cp, topicOffset: 7 })).toMatchObject({ ok: false });
  });
});

describe('verifyAuditTopic', () => {
  it('passes a signed topic and reports per incident what it checked', () => {
    const records = topic('inc-1', 9, 4);
    const report = verifyAuditTopic(facts(records), { keys });
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, incidents: { 'inc-1': { lastSeq: 9, checkpoints: 3, signedThroughSeq: 9, ok: true } } });
  });

  it('names the first event no signed checkpoint covers', () => {
    const records = topic('inc-1', 9, 4).slice(0, -1); // the last checkpoint is missing
    const report = verifyAuditTopic(facts(records), { keys });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([expect.objectContaining({ check: 'unsigned-tail', offset: '10', seq: 9 })]);
  });

  it('refuses a validly signed checkpoint that names a record the topic does not hold there', () => {
    const records = topic('inc-1', 4, 4);
    const last = records.at(-1) as AuditRecord;
    const cp = last.value as SignedCheckpoint;
    records[records.length - 1] = { ...last, value: signed(checkpointBody('inc-1', cp.lastSeq, cp.lastHash, 1n)) };
    expect(verifyAuditTopic(facts(records), { keys }).failures).toContainEqual(expect.objectContaining({ check: 'checkpoint', offset: '4' }));
  });

  it('without a key: an unsigned topic is judged on chains; a signed one fails for want of the key', () => {
    const unsigned = topic('inc-1', 5, 100).filter((r) => (r.value as { kind?: string }).kind === undefined);
    expect(verifyAuditTopic(facts(unsigned))).toMatchObject({ ok: true, checked: { signatures: false, anchor: false } });
    expect(verifyAuditTopic(facts(topic('inc-1', 5, 2))).failures).toEqual([expect.objectContaining({ check: 'no-public-key' })]);
  });

  it('fails on retention, a moved log start, a topic behind its anchor, and a vanished anchor', () => {
    const records = topic('inc-1', 5, 5);
    const anchor = { topic: 't', firstCheckpointOffset: '5', lastCheckpointOffset: '5', lastCheckpointSignature: (records[5]?.value as SignedCheckpoint).signature, updatedAt: '2026-11-20T08:00:00.000Z' };
    expect(verifyAuditTopic(facts(records), { keys, anchor }).ok).toBe(true);
    const checks = (f: AuditTopicFacts, a: typeof anchor | null = anchor) => verifyAuditTopic(f, { keys, anchor: a }).failures.map((x) => x.check);
    expect(checks(facts(records, { configs: { 'retention.ms': '604800000' } }))).toEqual(['retention']);
    expect(checks(facts(records.slice(2), { low: 2n }))).toContain('truncated');
    expect(checks(facts([], { high: 0n }))).toEqual(['anchor']);
    expect(checks(facts(records), null)).toEqual(['anchor']);
  });
});
