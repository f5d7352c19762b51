import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  decryptPayload,
  encodePayload,
  encryptPayload,
  foldDigest,
  rangeDigest,
  evidenceContentJson,
  sealEvidence,
  sealEvidenceValue,
  sha256Hex,
  verifyEvidenceRecords,
  type EvidenceRecord,
  type SourcePayload,
} from '../../../src/audit/evidence-envelope';
import { GENESIS_HASH } from '../../../src/domain/audit-chain';
import { canonicalJson } from '../../../src/domain/canonical-json';

const STEP = 'inc-1/preserve-evidence';
const WRAP = { transitKey: 'breachline-evidence', wrappedKey: 'vault:v1:stand-in' };

function chain(offsets: number[], key = randomBytes(32)): EvidenceRecord[] {
  let prev = GENESIS_HASH;
  return offsets.map((o) => {
    const source = { topic: 'orders', partition: 3, offset: String(o), timestamp: String(1_700_000_000_000 + o) };
    const plain = encodePayload({ key: Buffer.from(`k${o}`), value: Buffer.from(`{"email":"p${o}@x.org"}`), headers: [] });
    const r = sealEvidence({ v: 1, kind: 'evidence', incidentId: 'inc-1', stepKey: STEP, source, sha256: sha256Hex(plain), enc: encryptPayload(key, WRAP, STEP, source, plain) }, prev);
    prev = r.hash;
    return r;
  });
}

describe('evidence payload encoding', () => {
  it('round-trips null keys, empty values and repeated binary headers', () => {
    const cases: SourcePayload[] = [
      { key: null, value: null, headers: [] },
      { key: Buffer.alloc(0), value: Buffer.from('v'), headers: [['h', Buffer.from([0, 255])], ['h', Buffer.alloc(0)]] },
    ];
    for (const c of cases) expect(decodePayload(encodePayload(c))).toEqual(c);
  });

  it('never encodes two different records to the same bytes', () => {
    const a = encodePayload({ key: Buffer.from('ab'), value: Buffer.from('c'), headers: [] });
    const b = encodePayload({ key: Buffer.from('a'), value: Buffer.from('bc'), headers: [] });
    const c = encodePayload({ key: null, value: Buffer.from('abc'), headers: [] });
    expect(new Set([a, b, c].map((x) => sha256Hex(x))).size).toBe(3);
  });
});

describe('evidence encryption', () => {
  it('decrypts with the data key and refuses a ciphertext moved to other coordinates', () => {
    const key = randomBytes(32);
    const [r] = chain([7], key) as [EvidenceRecord];
    expect(decodePayload(decryptPayload(key, r)).value?.toString()).toBe('{"email":"p7@x.org"}');
    expect(() => decryptPayload(key, { ...r, source: { ...r.source, offset: '8' } })).toThrow();
    expect(() => decryptPayload(randomBytes(32), r)).toThrow();
    expect(JSON.stringify(r)).not.toContain('x.org');
  });
});

describe('verifyEvidenceRecords', () => {
  it('accepts an intact chain and names the first altered, missing, duplicated or reordered copy', () => {
    const records = chain([10, 11, 12, 13, 14]);
    expect(verifyEvidenceRecords(records)).toMatchObject({ ok: true, records: 5 });
    const altered = records.map((r, i) => (i === 2 ? { ...r, sha256: sha256Hex('forged') } : r));
    expect(verifyEvidenceRecords(altered)).toMatchObject({ ok: false, index: 2, reason: 'tampered' });
    expect(verifyEvidenceRecords(records.filter((_, i) => i !== 1))).toMatchObject({ ok: false, index: 1, reason: 'broken-link' });
    expect(verifyEvidenceRecords([...records.slice(0, 3), records[2] as EvidenceRecord])).toMatchObject({ ok: false, index: 3, reason: 'duplicate' });
    expect(verifyEvidenceRecords([records[1] as EvidenceRecord, records[0] as EvidenceRecord])).toMatchObject({ ok: false, index: 0, reason: 'broken-link' });
    expect(verifyEvidenceRecords([undefined])).toMatchObject({ ok: false, index: 0, reason: 'malformed' });
  });
});

describe('range digest', () => {
  it('is a fold, so it resumes from a checkpoint and does not depend on chunking', () => {
    const hashes = ['a', 'b', 'c', 'd'].map((x) => sha256Hex(x));
    const resumed = hashes.slice(2).reduce(foldDigest, rangeDigest(hashes.slice(0, 2)));
    expect(resumed).toBe(rangeDigest(hashes));
    expect(rangeDigest(hashes)).not.toBe(rangeDigest([...hashes].reverse()));
  });
});

describe('the hot-path serialisation', () => {
  it('writes exactly canonicalJSON, for the hash and for the stored value', () => {
    const odd = ['orders', 'ordres "quoted" \\ back', 'tøpic-ünïcode-😀', 'line\nbreak\u2028', ''];
    for (const topic of odd) {
      const source = { topic, partition: 12, offset: '9007199254740993', timestamp: '1767225600000' };
      const content = { v: 1 as const, kind: 'evidence' as const, incidentId: `inc-${topic}`, stepKey: `${topic}/preserve-evidence`, source, sha256: sha256Hex(topic), enc: encryptPayload(randomBytes(32), WRAP, STEP, source, Buffer.from(topic), 3) };
      expect(evidenceContentJson(content)).toBe(canonicalJson(content));
      const { record, value } = sealEvidenceValue(content, GENESIS_HASH);
      expect(value).toBe(canonicalJson(record));
      expect(record).toEqual(sealEvidence(content, GENESIS_HASH));
    }
  });

  it('falls back to the generic serialiser for any other shape', () => {
    const [r] = chain([1]) as [EvidenceRecord];
    const extra = { ...r, note: 'added later' } as unknown as EvidenceRecord;
    const { prevHash: _p, hash: _h, ...content } = extra;
    expect(evidenceContentJson(extra)).toBe(canonicalJson(content));
    expect(evidenceContentJson(extra)).toContain('"note":"added later"');
  });
});
