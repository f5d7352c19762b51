import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountFromPath, traceToken, TokenTracer } from '../../../src/vault/audit-trace';

const fixture = readFileSync(join(__dirname, '../../fixtures/vault-audit/token-leak.jsonl'), 'utf8').split('\n');
const h = (pair: string): string => `hmac-sha256:${pair.repeat(32)}`;

describe('traceToken over a file audit device log in Vault’s format', () => {
  it('follows the token into its child and the child’s orphan, and lists every secret read successfully', () => {
    const trace = traceToken(fixture, h('a1'));
    expect(trace.tokens).toEqual([h('a1'), h('c3'), h('e5')]);
    expect(trace.children).toEqual([
      { accessorHash: h('c3'), parentHash: h('a1'), createdBy: 'auth/token/create', orphan: false, time: '2026-11-30T09:14:09.4022115Z' },
      { accessorHash: h('e5'), parentHash: h('c3'), createdBy: 'auth/token/create-orphan', orphan: true, time: '2026-11-30T09:17:12.3000005Z' },
    ]);
    expect(trace.reads.map((r) => [r.mountPoint, r.path, r.accessorHash])).toEqual([
      ['secret/', 'ci/old-read', h('a1')],
      ['secret/', 'kafka/service-accounts/payments-reconciler', h('a1')],
      ['secret/', 'kafka/service-accounts/ledger-writer', h('c3')],
      ['secret/', 'payments/db', h('e5')],
    ]);
    // The cut-off last line is counted, not fatal; the blank line after it is nothing.
    expect(trace.skippedLines).toBe(1);
  });

  it('leaves out refused reads, metadata reads, lists, destroyed versions and other tokens', () => {
    const paths = traceToken(fixture, h('a1')).reads.map((r) => r.path);
    expect(paths).not.toContain('admin/root-ca');
    expect(paths).not.toContain('payments/old');
    expect(paths.filter((p) => p === 'payments/db')).toHaveLength(1);
    expect(traceToken(fixture, h('b2')).reads.map((r) => r.path)).toEqual(['payments/db']);
  });

  it('reports reads from `since` on, but follows children created before it', () => {
    const trace = traceToken(fixture, h('a1'), { since: new Date('2026-11-30T09:15:00Z') });
    expect(trace.tokens).toHaveLength(3);
    expect(trace.reads.map((r) => r.path)).toEqual(['kafka/service-accounts/ledger-writer', 'payments/db']);
  });

  it('an accessor the log never saw finds nothing; the incremental tracer agrees with the one-shot one', () => {
    expect(traceToken(fixture, h('99'))).toEqual({ tokens: [h('99')], children: [], reads: [], skippedLines: 1 });
    const tracer = new TokenTracer(h('a1'));
    for (const line of fixture) {
      let parsed: object | string = line;
      try {
        parsed = JSON.parse(line) as object;
      } catch {
        // Handed over as text: the tracer counts it as skipped.
      }
      tracer.add(parsed);
    }
    expect(tracer.result().reads).toEqual(traceToken(fixture, h('a1')).reads);
  });
});

describe('accountFromPath', () => {
  it('reads the account out of the template and nothing else', () => {
    const t = 'kafka/service-accounts/{account}';
    expect(accountFromPath('kafka/service-accounts/payments-reconciler', t)).toBe('payments-reconciler');
    expect(accountFromPath('kafka/service-accounts/a/b', t)).toBeUndefined();
    expect(accountFromPath('kafka/service-accounts/', t)).toBeUndefined();
    expect(accountFromPath('payments/db', t)).toBeUndefined();
    expect(accountFromPath('svc/x/kafka', 'svc/{account}/kafka')).toBe('x');
    expect(() => accountFromPath('x', 'no-placeholder')).toThrow(/exactly one/);
  });
});
