import { describe, expect, it } from 'vitest';
import { AccessLog, type AccessRecord } from '../../../src/sandbox/kafka/security';

function rec(time: number, over: Partial<AccessRecord> = {}): AccessRecord {
  return {
    time,
    kind: 'authorization',
    principal: 'User:app',
    clientId: 'c1',
    host: '127.0.0.1',
    api: 'Fetch',
    resourceType: 'TOPIC',
    resourceName: 'orders',
    operation: 'READ',
    decision: 'ALLOW',
    ...over,
  };
}

describe('AccessLog', () => {
  const log = new AccessLog();
  log.append(rec(1000));
  log.append(rec(2000, { principal: 'User:mallory', decision: 'DENY' }));
  log.append(rec(3000, { kind: 'fetch', partition: 0, fromOffset: '10', toOffset: '15', records: 5, bytes: 512, operation: undefined }));
  log.append(rec(4000, { resourceName: 'payments' }));

  it.each([
    ['no filter', {}, [1000, 2000, 3000, 4000]],
    ['principal', { principal: 'User:mallory' }, [2000]],
    ['decision', { decision: 'DENY' as const }, [2000]],
    ['kind', { kind: 'fetch' as const }, [3000]],
    ['resource', { resourceName: 'payments' }, [4000]],
    ['since (inclusive)', { since: 2000 }, [2000, 3000, 4000]],
    ['until (inclusive)', { until: 2000 }, [1000, 2000]],
    ['combined', { principal: 'User:app', since: 1500, until: 3500 }, [3000]],
  ])('queries by %s, oldest first', (_label, filter, times) => {
    expect(log.query(filter).map((r) => r.time)).toEqual(times);
  });

  it('keeps the fetch range as given (int64 offsets as strings)', () => {
    expect(log.query({ kind: 'fetch' })[0]).toMatchObject({ partition: 0, fromOffset: '10', toOffset: '15', records: 5, bytes: 512 });
  });

  it('drops the oldest records beyond its capacity', () => {
    const small = new AccessLog({ capacity: 3 });
    for (let t = 1; t <= 7; t++) small.append(rec(t));
    expect(small.query().map((r) => r.time)).toEqual([5, 6, 7]);
    expect(small.length).toBe(3);
    expect(() => new AccessLog({ capacity: 0 })).toThrow(RangeError);
  });

  it('stores a copy and notifies listeners; a throwing listener does not break appends', () => {
    const l = new AccessLog();
    const seen: number[] = [];
    l.onRecord(() => {
      throw new Error('observer bug');
    });
    l.onRecord((r) => seen.push(r.time));
    const r = rec(9);
    l.append(r);
    r.time = 10;
    expect(seen).toEqual([9]);
    expect(l.query()[0]?.time).toBe(9);
  });
});
