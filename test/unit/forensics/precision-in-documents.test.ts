import { describe, expect, it } from 'vitest';
import { draftNotification } from '../../../src/domain/notification-draft';
import { renderReport } from '../../../src/domain/report';
import { forensics, gdprClock, Incident, opened } from '../regimes/fixtures';

/*
 * The report and the regulator drafts state how precise the forensic figures are, from the
 * per-partition labels; a window from before the labels existed reads as it always did.
 */

const partition = (n: number, precision: string | undefined, sources: string[] | undefined) => ({
  partition: n, from: '10', to: '19', records: '10', bytes: '1000', firstTs: 1, lastTs: 2, ranges: [], clampedRecords: '0',
  ...(precision !== undefined ? { precision } : {}), ...(sources !== undefined ? { sources } : {}),
});

const held = (i: Incident): Incident => i.add('LegalHoldApplied', { topic: 'orders', previousRetentionMs: '604800000', retentionMs: '-1' });

function labelled(): Incident {
  return held(gdprClock(opened('inc-p'))).add('ForensicWindowEstablished', {
    topic: 'orders',
    partitions: [partition(0, 'exact', ['request-log']), partition(1, 'bounded', ['consumer-offsets']), partition(2, 'time-derived', ['confluent-audit'])],
    totals: { partitions: 3, ranges: 3, records: '30', bytes: '3000', firstTs: 1, lastTs: 2 },
    bytesExact: false,
    sources: ['access-records'],
    dataSubjects: { count: 12, method: 'exact', relativeStandardError: 0 },
    piiCategories: ['email'],
  });
}

describe('precision in the report and the drafts', () => {
  it('the report shows each partition\'s precision and sources', () => {
    const md = renderReport(labelled().events as never);
    expect(md).toContain('| partition | from | to | records | bytes | aged out | precision | sources |');
    expect(md).toContain('| 0 | 10 | 19 | 10 | 1000 | 0 | exact | request-log |');
    expect(md).toContain('| 2 | 10 | 19 | 10 | 1000 | 0 | time-derived | confluent-audit |');
  });

  it('the GDPR draft says which figures are exact, bounded or time-derived, and that the count is an upper estimate', () => {
    const md = draftNotification(labelled().events as never, 'gdpr', 'authority');
    expect(md).toContain('- Precision of these figures: 1 partition(s) exact (each fetch recorded); 1 bounded');
    expect(md).toContain('1 time-derived (ranges inferred from access times');
    expect(md).toContain('sources: confluent-audit, consumer-offsets, request-log. The record count is therefore an upper estimate.');
  });

  it('a window without labels (an earlier release) adds no precision line and no columns', () => {
    const events = forensics(held(gdprClock(opened('inc-old')))).events;
    expect(draftNotification(events as never, 'gdpr', 'authority')).not.toContain('Precision of these figures');
    expect(renderReport(events as never)).not.toContain('| precision |');
  });
});
