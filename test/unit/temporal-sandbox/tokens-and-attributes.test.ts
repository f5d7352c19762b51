import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { jsonPayload } from '../../../src/sandbox/temporal/proto';
import { SearchAttributeRegistry } from '../../../src/sandbox/temporal/search-attributes';
import { decodeToken, encodeToken } from '../../../src/sandbox/temporal/tokens';

describe('task tokens', () => {
  it('round-trip and reject foreign bytes with INVALID_ARGUMENT', () => {
    const token = { t: 'act', ns: 'default', rid: 'r', sid: 5, attempt: 2 } as const;
    expect(decodeToken(encodeToken(token))).toEqual(token);
    expect(() => decodeToken(Buffer.from('nope'))).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
    expect(() => decodeToken(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
  });
});

describe('search attributes', () => {
  it('decodes payloads by registered or declared type', () => {
    const r = new SearchAttributeRegistry();
    r.add('Severity', 'Int');
    expect(r.decode({
      Severity: jsonPayload([7]),
      CustomKeywordField: jsonPayload(['a']),
      Labels: jsonPayload(['x', 'y'], 'KeywordList'),
      When: jsonPayload('2026-01-01T00:00:00Z', 'Datetime'),
    })).toEqual({ Severity: 7, CustomKeywordField: 'a', Labels: ['x', 'y'], When: '2026-01-01T00:00:00.000Z' });
  });

  it('learns types declared at start and rejects conflicting registrations', () => {
    const r = new SearchAttributeRegistry();
    expect(r.learn({ Team: jsonPayload('soc', 'Keyword') })).toEqual([{ name: 'Team', type: 'Keyword' }]);
    expect(r.typeOf('Team')).toBe('Keyword');
    expect(() => r.add('Team', 'Int')).toThrow(expect.objectContaining({ code: status.ALREADY_EXISTS }));
    expect(() => r.add('WorkflowId', 'Keyword')).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
  });
});
