import type { Kafka, ProducerRecord } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../src/domain/alert';
import { createAlertLog } from '../../../src/ingress/alert-log';
import { IngressError } from '../../../src/ingress/errors';

/*
 * Group commit of the alerts topic (issue 15, storm): appends within `lingerMs` of the first share
 * one produce request, a full batch goes at once, and a failed request fails exactly its own
 * appends with a 503. The brokers are stood in for by a stub of kafkajs's client that records each
 * produce request (the wire behaviour is covered with the Kafka sandbox in test/integration/ingress).
 */

interface Stub {
  kafka: Kafka;
  sends: ProducerRecord[];
  /** Answers the pending produce requests, in order. */
  answer(outcome: 'ok' | 'fail'): void;
}

function stubKafka(): Stub {
  const sends: ProducerRecord[] = [];
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const kafka = {
    admin: () => ({ connect: async () => undefined, disconnect: async () => undefined, listTopics: async () => ['breachline.alerts'], fetchTopicMetadata: async () => ({ topics: [] }) }),
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: (record: ProducerRecord) => {
        sends.push(record);
        return new Promise<unknown>((resolve, reject) => pending.push({ resolve: () => resolve([]), reject }));
      },
    }),
  } as unknown as Kafka;
  return {
    kafka,
    sends,
    answer(outcome) {
      for (const p of pending.splice(0)) {
        if (outcome === 'ok') p.resolve();
        else p.reject(new Error('broker gone'));
      }
    },
  };
}

const alert = (i: number): Alert => ({ alertId: `a-${i}`, fingerprint: `fp-${i % 3}`, source: 'generic' }) as Alert;

afterEach(() => {
  vi.useRealTimers();
});

describe('alerts topic group commit', () => {
  it('appends within the linger share one produce request, answered when the brokers acknowledge', async () => {
    const stub = stubKafka();
    const log = await createAlertLog({ kafka: stub.kafka, lingerMs: 5 });
    vi.useFakeTimers();
    const settled: number[] = [];
    const appends = [0, 1, 2].map((i) => log.append(alert(i)).then(() => settled.push(i)));
    await vi.advanceTimersByTimeAsync(3);
    appends.push(log.append(alert(3)).then(() => settled.push(3)));
    expect(stub.sends).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(stub.sends).toHaveLength(1);
    expect(stub.sends[0]?.acks).toBe(-1);
    expect(stub.sends[0]?.messages.map((m) => m.key)).toEqual(['fp-0', 'fp-1', 'fp-2', 'fp-0']);
    expect(settled).toEqual([]);
    stub.answer('ok');
    await Promise.all(appends);
    expect(settled.sort()).toEqual([0, 1, 2, 3]);
    // The next append starts a new batch.
    const later = log.append(alert(4));
    await vi.advanceTimersByTimeAsync(5);
    expect(stub.sends).toHaveLength(2);
    stub.answer('ok');
    await later;
  });

  it('times each acknowledged produce request once, whatever its number of alerts, and no refused one', async () => {
    const stub = stubKafka();
    const timed: number[] = [];
    const log = await createAlertLog({ kafka: stub.kafka, lingerMs: 5, onAcknowledged: (s) => timed.push(s) });
    vi.useFakeTimers();
    const first = [0, 1, 2].map((i) => log.append(alert(i)));
    await vi.advanceTimersByTimeAsync(5);
    await vi.advanceTimersByTimeAsync(7);
    stub.answer('ok');
    await Promise.all(first);
    const refused = log.append(alert(3)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5);
    stub.answer('fail');
    expect(await refused).toBeInstanceOf(IngressError);
    expect(timed).toHaveLength(1);
    // From the request leaving (after the linger) to the acknowledgement: the 7 ms the brokers took.
    expect(timed[0]).toBeCloseTo(0.007, 3);
  });

  it('a full batch goes at once, without waiting for the linger', async () => {
    const stub = stubKafka();
    const log = await createAlertLog({ kafka: stub.kafka, lingerMs: 50, maxBatch: 3 });
    vi.useFakeTimers();
    const appends = Array.from({ length: 7 }, (_, i) => log.append(alert(i)));
    expect(stub.sends.map((s) => s.messages.length)).toEqual([3, 3]);
    await vi.advanceTimersByTimeAsync(50);
    expect(stub.sends.map((s) => s.messages.length)).toEqual([3, 3, 1]);
    stub.answer('ok');
    await Promise.all(appends);
  });

  it('with no linger, the appends of one event-loop turn share one request', async () => {
    const stub = stubKafka();
    const log = await createAlertLog({ kafka: stub.kafka, lingerMs: 0 });
    const appends = Array.from({ length: 5 }, (_, i) => log.append(alert(i)));
    await new Promise((r) => setImmediate(r));
    expect(stub.sends.map((s) => s.messages.length)).toEqual([5]);
    stub.answer('ok');
    await Promise.all(appends);
  });

  it('a produce request that fails fails its own appends with a 503, not the next batch', async () => {
    const stub = stubKafka();
    const log = await createAlertLog({ kafka: stub.kafka, lingerMs: 1 });
    vi.useFakeTimers();
    const failed = [0, 1].map((i) => log.append(alert(i)).then(() => 'accepted', (e: unknown) => e));
    await vi.advanceTimersByTimeAsync(1);
    stub.answer('fail');
    const outcomes = await Promise.all(failed);
    expect(outcomes.every((e) => e instanceof IngressError && e.status === 503 && e.code === 'alert_log_unavailable')).toBe(true);
    const next = log.append(alert(2));
    await vi.advanceTimersByTimeAsync(1);
    stub.answer('ok');
    await expect(next).resolves.toBeUndefined();
  });
});
