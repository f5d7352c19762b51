import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceableLine, traceToken, type AuditLine } from '../../../src/vault/audit-trace';

const fixture = readFileSync(join(__dirname, '../../fixtures/vault-audit/token-leak.jsonl'), 'utf8').split('\n');
const h = (pair: string): string => `hmac-sha256:${pair.repeat(32)}`;
const kept = fixture.map(traceableLine).filter((l): l is AuditLine | string => l !== undefined);

/**
 * What a shipped-log reader holds of each line while it merges partitions: it must trace exactly
 * as the full lines do, and hold neither the requests nor the secrets' (HMAC-ed) content.
 */
describe('traceableLine', () => {
  it('traces every token of the fixture, with and without since, as the full lines do', () => {
    for (const accessor of [h('a1'), h('b2'), h('c3'), h('e5'), h('99')]) {
      expect(traceToken(kept, accessor)).toEqual(traceToken(fixture, accessor));
      const since = { since: new Date('2026-11-30T09:15:00Z') };
      expect(traceToken(kept, accessor, since)).toEqual(traceToken(fixture, accessor, since));
    }
  });

  it('keeps fewer lines than the log, none a request, and no secret content', () => {
    expect(kept.length).toBeLessThan(fixture.filter((l) => l.trim() !== '').length);
    const objects = kept.filter((l): l is AuditLine => typeof l !== 'string');
    expect(objects.every((l) => l.type === 'response')).toBe(true);
    for (const l of objects) expect(l.response?.data === null || JSON.stringify(l.response?.data) === '{"data":{}}').toBe(true);
    // The cut-off line stays text, to be counted as skipped; a blank one is dropped.
    expect(kept.filter((l) => typeof l === 'string')).toHaveLength(1);
    expect(traceableLine('   ')).toBeUndefined();
  });
});
