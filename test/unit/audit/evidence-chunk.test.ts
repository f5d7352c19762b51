import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkBuilder, ChunkFormatError, openChunk, parseChunk, recordHash, sealChunk, type ChunkRecord } from '../../../src/audit/evidence-chunk';
import { EMPTY_ROOT, inclusionProof, MerkleAccumulator, merkleRoot, verifyInclusion } from '../../../src/audit/merkle';
import { GENESIS_HASH } from '../../../src/domain/audit-chain';

const sha = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 6962 §2.1 written the obvious recursive way, to hold the accumulator to. */
function referenceRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return sha();
  if (hashes.length === 1) return sha(Buffer.from([0]), hashes[0] as Buffer);
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return sha(Buffer.from([1]), referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

const records: ChunkRecord[] = [
  { offset: 10n, timestamp: 1_767_225_600_000n, key: Buffer.from('acct-1'), value: Buffer.from('{"email":"a@x.org"}'), headers: [] },
  { offset: 11n, timestamp: 1_767_225_599_000n, key: null, value: Buffer.alloc(0), headers: [['trace', Buffer.from([0, 255])], ['trace', null], ['', Buffer.alloc(0)]] },
  { offset: 15n, timestamp: 1_767_225_700_123n, key: Buffer.alloc(0), value: null, headers: [['ünïcode', Buffer.from('v')]] },
];

function seal(rs: ChunkRecord[], dataKey = randomBytes(32), seq = 0, prevHash = GENESIS_HASH) {
  const b = new ChunkBuilder('orders', 3, { maxBytes: 900 * 1024, maxRecords: 1000 });
  for (const r of rs) b.add(r);
  const sealed = sealChunk(b, { incidentId: 'inc-1', stepKey: 'inc-1/preserve-evidence', seq, prevHash, transitKey: 'breachline-evidence', wrappedKey: 'vault:v1:stand-in', dataKey });
  return { sealed, dataKey };
}

describe('binary evidence chunk', () => {
  it('keeps offsets, timestamps, keys, values and headers byte for byte (nulls, empties, repeats, earlier timestamps)', () => {
    const { sealed, dataKey } = seal(records);
    const parsed = parseChunk(sealed.bytes);
    expect(parsed.header).toMatchObject({ topic: 'orders', partition: 3, seq: 0, firstOffset: '10', lastOffset: '15', records: 3, prevHash: GENESIS_HASH });
    expect(parsed.offsets).toEqual([10n, 11n, 15n]);
    expect(parsed.hash).toBe(sealed.hash);
    expect(openChunk(parsed, dataKey)).toEqual(records);
  });

  it('lists each record hash in the clear, recomputable from the original record alone', () => {
    const { sealed } = seal(records);
    const parsed = parseChunk(sealed.bytes);
    expect(parsed.recordHashes.map((h) => h.toString('hex'))).toEqual(records.map((r) => recordHash('orders', 3, r).toString('hex')));
    // The hash binds the coordinates: the same bytes at another offset hash differently.
    expect(recordHash('orders', 3, { ...(records[0] as ChunkRecord), offset: 9n }).equals(recordHash('orders', 3, records[0] as ChunkRecord))).toBe(false);
  });

  it('refuses to decrypt after any byte of the index, header or ciphertext changed, or with another key', () => {
    const { sealed, dataKey } = seal(records);
    const parsed = parseChunk(sealed.bytes);
    const hashAt = parsed.aad.length - 4 - 32; // inside the last record hash of the index
    for (const at of [12, hashAt, parsed.aad.length + 1, sealed.bytes.length - 1]) {
      const tampered = Buffer.from(sealed.bytes);
      tampered[at] = (tampered[at] as number) ^ 1;
      expect(() => openChunk(parseChunk(tampered), dataKey), `byte ${at}`).toThrow();
    }
    expect(() => openChunk(parsed, randomBytes(32))).toThrow();
  });

  it('rejects what is not a chunk, a truncated chunk and an unknown version with a precise error', () => {
    const { sealed } = seal(records);
    expect(() => parseChunk(Buffer.from('{"kind":"evidence"}'))).toThrow(ChunkFormatError);
    expect(() => parseChunk(sealed.bytes.subarray(0, sealed.bytes.length - 3))).toThrow(/ciphertext length/);
    const v2 = Buffer.from(sealed.bytes);
    v2[4] = 2;
    expect(() => parseChunk(v2)).toThrow(/format 2 is not supported/);
  });

  it('cuts chunks by size and record count, and refuses records out of offset order', () => {
    const b = new ChunkBuilder('orders', 0, { maxBytes: 4096, maxRecords: 5 });
    const big = (o: number): ChunkRecord => ({ offset: BigInt(o), timestamp: 0n, key: null, value: Buffer.alloc(1500), headers: [] });
    expect(b.fits(big(0))).toBe(true);
    b.add(big(0));
    b.add(big(1));
    expect(b.fits(big(2))).toBe(false);
    expect(() => b.add(big(1))).toThrow(/increasing offset order/);
    const small = new ChunkBuilder('orders', 0, { maxBytes: 900 * 1024, maxRecords: 2 });
    small.add(records[0] as ChunkRecord);
    small.add(records[1] as ChunkRecord);
    expect(small.fits(records[2] as ChunkRecord)).toBe(false);
  });

  it('stays within 1.2x of the source bytes for 300-byte records', () => {
    const b = new ChunkBuilder('orders', 0, { maxBytes: 900 * 1024, maxRecords: 1_000_000 });
    let o = 0;
    for (;;) {
      const r: ChunkRecord = { offset: BigInt(o++), timestamp: 1_767_225_600_000n + BigInt(o), key: randomBytes(16), value: randomBytes(284), headers: [] };
      if (!b.fits(r)) break;
      b.add(r);
    }
    const { bytes } = sealChunk(b, { incidentId: 'i', stepKey: 's', seq: 0, prevHash: GENESIS_HASH, transitKey: 't', wrappedKey: 'vault:v1:x', dataKey: randomBytes(32) });
    expect(bytes.length).toBeLessThanOrEqual(900 * 1024);
    expect(bytes.length / b.sourceBytes).toBeLessThan(1.2);
  });
});

describe('RFC 6962 Merkle tree', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => sha(Buffer.from(`record-${i}`)));

  it('computes the same root incrementally as the recursive definition, for every size', () => {
    expect(merkleRoot([]).equals(EMPTY_ROOT)).toBe(true);
    for (let n = 1; n <= leaves.length; n++) expect(merkleRoot(leaves.slice(0, n)).toString('hex'), `size ${n}`).toBe(referenceRoot(leaves.slice(0, n)).toString('hex'));
  });

  it('resumes from a saved accumulator to the same root, and rejects a corrupt snapshot', () => {
    const a = new MerkleAccumulator();
    for (const l of leaves.slice(0, 37)) a.add(l);
    const restored = MerkleAccumulator.restore(JSON.parse(JSON.stringify(a.save())));
    for (const l of leaves.slice(37)) restored?.add(l);
    expect(restored?.root().equals(merkleRoot(leaves))).toBe(true);
    expect(MerkleAccumulator.restore({ ...a.save(), size: 36 })).toBeUndefined();
  });

  it('proves every leaf of trees of many sizes, and no proof holds for another record, index or root', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 70]) {
      const tree = leaves.slice(0, n);
      const root = merkleRoot(tree);
      for (let i = 0; i < n; i++) {
        const path = inclusionProof(tree, i);
        expect(verifyInclusion(tree[i] as Buffer, i, n, path, root), `leaf ${i} of ${n}`).toBe(true);
        expect(verifyInclusion(sha(Buffer.from('forged')), i, n, path, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(tree[i] as Buffer, (i + 1) % n, n, path, root)).toBe(false);
      }
      expect(verifyInclusion(tree[0] as Buffer, 0, n, inclusionProof(tree, 0), sha(Buffer.from('other root')))).toBe(false);
    }
  });
});
