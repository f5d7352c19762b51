import { describe, expect, it } from 'vitest';
import { ChainVerifier, GENESIS_HASH, hashEvent, sealEvent, verifyChain, type SealedEvent } from '../../../src/domain/audit-chain';
import { canonicalJson } from '../../../src/domain/canonical-json';
import { CanonicalJsonError } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import { fullHistory } from './history';

function seal(events: readonly DomainEvent[]): SealedEvent[] {
  let prev = GENESIS_HASH;
  return events.map((e) => {
    const sealed = sealEvent(e, prev);
    prev = sealed.hash;
    return sealed;
  });
}

/** Two incidents whose chains interleave on one topic, as on the real audit topic. */
function interleaved(): SealedEvent[] {
  const a = seal(fullHistory('incident-a').events);
  const b = seal(fullHistory('incident-b').events.slice(0, 10));
  const out: SealedEvent[] = [];
  for (let i = 0; i < a.length; i++) {
    out.push(a[i]!);
    if (b[i]) out.push(b[i]!);
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units, recursively, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' }, A: false })).toBe('{"A":false,"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}');
    // RFC 8785 §3.2.3 example ordering: code units, so "\u20ac" (€) sorts before "\ud83d\ude00" (😀) and after "\u00e9".
    expect(canonicalJson({ '😀': 1, '€': 2, é: 3, '1': 4 })).toBe('{"1":4,"é":3,"€":2,"😀":1}');
  });

  it('prints numbers as JavaScript does and escapes strings as JSON.stringify', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1 + 0.2, -0, 9007199254740991, 333333333.3333333])).toBe(
      '[1e+21,1e-7,0.30000000000000004,0,9007199254740991,333333333.3333333]',
    );
    expect(canonicalJson('line\n"q"\u0001\u2028')).toBe('"line\\n\\"q\\"\\u0001\u2028"');
  });

  it('refuses what JSON would silently change, naming where it is', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1]: NaN is not a finite number');
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/Infinity is not a finite number/);
    expect(() => canonicalJson({ a: undefined })).toThrow('$.a: undefined has no JSON form');
    expect(() => canonicalJson({ offset: 2n ** 63n - 1n })).toThrow(/use a decimal string/);
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(/Date instance/);
    const holey: unknown[] = [1];
    holey[2] = 3;
    expect(() => canonicalJson(holey)).toThrow(/sparse/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular/);
  });

  it('accepts the same object seen twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('sealEvent', () => {
  it('hashes prevHash followed by the canonical JSON of the event without its hash fields', async () => {
    const { createHash } = await import('node:crypto');
    const event = fullHistory().events[0]!;
    const sealed = sealEvent(event, GENESIS_HASH);
    expect(sealed.prevHash).toBe(GENESIS_HASH);
    expect(sealed.hash).toBe(createHash('sha256').update(GENESIS_HASH + canonicalJson(event)).digest('hex'));
    // Re-sealing an already sealed event ignores its old hash fields.
    expect(sealEvent(sealed, GENESIS_HASH).hash).toBe(sealed.hash);
    expect(hashEvent(sealed, GENESIS_HASH)).toBe(sealed.hash);
    expect(() => sealEvent(event, 'xyz')).toThrow(/64 lowercase hex/);
  });

  it('does not depend on key order', () => {
    const event = fullHistory().events[1]!;
    const reordered = JSON.parse(JSON.stringify({ data: event.data, type: event.type, seq: event.seq, actor: event.actor, at: event.at, incidentId: event.incidentId })) as DomainEvent;
    expect(sealEvent(reordered, GENESIS_HASH).hash).toBe(sealEvent(event, GENESIS_HASH).hash);
  });
});

describe('verifyChain', () => {
  it('accepts interleaved chains and reports each head', () => {
    const records = interleaved();
    const result = verifyChain(records);
    expect(result).toMatchObject({ ok: true, records: records.length });
    if (!result.ok) throw new Error('unreachable');
    expect(result.heads['incident-b']).toEqual({ seq: 10, hash: records.filter((r) => r.incidentId === 'incident-b').at(-1)!.hash });
    expect(verifyChain([])).toEqual({ ok: true, records: 0, heads: {} });
  });

  it('a tampered field breaks at that record', () => {
    const records = interleaved();
    const target = records.findIndex((r) => r.type === 'ForensicWindowEstablished' && r.incidentId === 'incident-a');
    const tampered = structuredClone(records) as SealedEvent[];
    (tampered[target] as SealedEvent<Extract<DomainEvent, { type: 'ForensicWindowEstablished' }>>).data.totals.records = '1000';
    expect(verifyChain(tampered)).toMatchObject({ ok: false, index: target, reason: 'tampered', incidentId: 'incident-a' });
  });

  it('a tampered record with a recomputed hash breaks the next link of that incident', () => {
    const records = interleaved();
    const tampered = [...records];
    const victim = records[6]!;
    const forged = sealEvent({ ...victim, at: '2020-01-01T00:00:00.000Z' } as DomainEvent, victim.prevHash);
    tampered[6] = forged;
    const next = records.findIndex((r, i) => i > 6 && r.incidentId === victim.incidentId);
    expect(verifyChain(tampered)).toMatchObject({ ok: false, index: next, reason: 'broken-link', seq: victim.seq + 1 });
  });

  it('a dropped record is a gap at the record after it', () => {
    const records = interleaved();
    const dropped = records.filter((_, i) => i !== 4);
    const result = verifyChain(dropped);
    expect(result).toMatchObject({ ok: false, reason: 'gap', incidentId: records[4]!.incidentId, seq: records[4]!.seq + 1 });
    if (result.ok) throw new Error('unreachable');
    expect(dropped[result.index]!.seq).toBe(records[4]!.seq + 1);
    expect(result.message).toContain(`seq ${records[4]!.seq} missing`);
  });

  it('two swapped records are a reorder at the first of them', () => {
    const records = interleaved();
    const swapped = [...records];
    [swapped[8], swapped[10]] = [swapped[10]!, swapped[8]!];
    expect(swapped[8]!.incidentId).toBe(swapped[10]!.incidentId);
    expect(verifyChain(swapped)).toMatchObject({ ok: false, index: 8, reason: 'reorder' });
  });

  it('a record repeated is a duplicate; a different record with a used seq is a conflict', () => {
    const records = interleaved();
    const repeated = [...records.slice(0, 7), records[5]!, ...records.slice(7)];
    expect(verifyChain(repeated)).toMatchObject({ ok: false, index: 7, reason: 'duplicate', seq: records[5]!.seq });
    const fork = sealEvent({ ...records[5]!, at: '2030-01-01T00:00:00.000Z' } as DomainEvent, records[5]!.prevHash);
    const forked = [...records.slice(0, 7), fork, ...records.slice(7)];
    expect(verifyChain(forked)).toMatchObject({ ok: false, index: 7, reason: 'conflict' });
  });

  it('reports the FIRST problem when there are several, and malformed records', () => {
    const records = interleaved();
    const broken = records.filter((_, i) => i !== 12 && i !== 3);
    // Record 3 (incident b, seq 2) is missing: noticed at b's next record, before the later gap.
    expect(verifyChain(broken)).toMatchObject({ ok: false, index: 4, reason: 'gap', incidentId: records[3]!.incidentId, seq: records[3]!.seq + 1 });
    expect(verifyChain([records[0], { hello: 'world' }])).toMatchObject({ ok: false, index: 1, reason: 'malformed', incidentId: null });
    const first = records.find((r) => r.incidentId === 'incident-a' && r.seq === 2)!;
    expect(verifyChain([first])).toMatchObject({ ok: false, index: 0, reason: 'gap' });
  });

  it('a gap is still reported first when a later record is tampered with', () => {
    const records = interleaved();
    const broken = structuredClone(records.filter((_, i) => i !== 2)) as SealedEvent[];
    (broken[10] as SealedEvent).at = '1999-01-01T00:00:00.000Z';
    expect(verifyChain(broken)).toMatchObject({ ok: false, index: 3, reason: 'gap' });
  });
});

describe('ChainVerifier (streaming)', () => {
  it('gives the same verdicts as verifyChain, a record at a time', () => {
    const records = interleaved();
    const variants = [records, records.filter((_, i) => i !== 4), [...records.slice(0, 7), records[5]!, ...records.slice(7)]];
    for (const variant of variants) {
      const v = new ChainVerifier();
      let early: unknown;
      for (const r of variant) early ??= v.push(r);
      expect(v.finish()).toEqual(verifyChain(variant));
      if (early !== undefined) expect(early).toEqual(verifyChain(variant));
    }
  });

  it('reports a tampered record as soon as it is pushed, and a reorder once the missing record arrives', () => {
    const records = interleaved();
    const v = new ChainVerifier();
    expect(v.push(records[0])).toBeUndefined();
    expect(v.push({ ...records[1]!, at: 'changed' })).toMatchObject({ index: 1, reason: 'tampered' });

    const swapped = [...records];
    [swapped[8], swapped[10]] = [swapped[10]!, swapped[8]!];
    const s = new ChainVerifier();
    const verdicts = swapped.map((rec) => s.push(rec));
    // Record 8 is out of place, but that is only certain when record 10 brings the missing seq.
    expect(verdicts.slice(0, 10).every((x) => x === undefined)).toBe(true);
    expect(verdicts[10]).toMatchObject({ index: 8, reason: 'reorder' });
    expect(s.finish()).toMatchObject({ index: 8, reason: 'reorder' });
  });
});

