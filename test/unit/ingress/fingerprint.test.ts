import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertFingerprint } from '../../../src/ingress/fingerprint';

describe('alertFingerprint', () => {
  const base = { source: 'splunk' as const, rule: 'bulk-read', principal: 'User:report-exporter' };

  it('is the sha256 of source, rule and the tagged subject', () => {
    const expected = createHash('sha256').update(JSON.stringify(['splunk', 'bulk-read', 'principal', 'User:report-exporter'])).digest('hex');
    expect(alertFingerprint(base)).toBe(expected);
    expect(alertFingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the asset when a principal is named, so alerts about several topics by one principal merge', () => {
    expect(alertFingerprint({ ...base, asset: 'orders' })).toBe(alertFingerprint({ ...base, asset: 'payments' }));
  });

  it('differs by source, rule and principal', () => {
    const fp = alertFingerprint(base);
    expect(alertFingerprint({ ...base, source: 'elastic' })).not.toBe(fp);
    expect(alertFingerprint({ ...base, rule: 'bulk-read-2' })).not.toBe(fp);
    expect(alertFingerprint({ ...base, principal: 'User:analytics' })).not.toBe(fp);
  });

  it('keeps a principal and an asset of the same spelling apart', () => {
    expect(alertFingerprint({ source: 'generic', rule: 'r', principal: 'orders' })).not.toBe(alertFingerprint({ source: 'generic', rule: 'r', asset: 'orders' }));
  });

  it('cannot be shifted by separators inside values', () => {
    expect(alertFingerprint({ source: 'generic', rule: 'a","principal', principal: 'b' })).not.toBe(
      alertFingerprint({ source: 'generic', rule: 'a', principal: '","principal","b' }),
    );
  });
});
