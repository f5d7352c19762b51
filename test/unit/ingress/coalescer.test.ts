import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert';
import { createCoalescingGateway } from '../../../src/ingress/coalescer';
import { IngressError } from '../../../src/ingress/errors';
import { alertKey, IncidentCache, type OpenIncident } from '../../../src/ingress/incident-cache';
import type { IncidentAcceptance, IncidentGateway } from '../../../src/ingress/incidents';
import type { RunbookChoice } from '../../../src/ingress/runbooks';

const choice = {} as RunbookChoice;

function alert(id: string, fingerprint = 'fp-1'): Alert {
  return { source: 'generic', alertId: id, rule: 'r', severity: 'high', title: 't', principal: 'User:x', observedAt: '2026-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z', fingerprint };
}

/** A stand-in Temporal: one open run per fingerprint until `close(fp)`; records every call. */
function fakeTemporal() {
  const runs = new Map<string, { runId: string; generation: number; open: boolean; alerts: string[] }>();
  const calls: string[] = [];
  let failing: IngressError | undefined;
  const gateway: IncidentGateway = {
    async accept(a): Promise<IncidentAcceptance> {
      calls.push(`start ${a.alertId}`);
      await Promise.resolve();
      if (failing) throw failing;
      let run = runs.get(a.fingerprint);
      const duplicate = run?.open === true;
      if (!run || !run.open) {
        run = { runId: `run-${(run?.generation ?? 0) + 1}`, generation: (run?.generation ?? 0) + 1, open: true, alerts: [] };
        runs.set(a.fingerprint, run);
      }
      run.alerts.push(a.alertId);
      return { incidentId: `inc-${run.generation}`, runId: run.runId, duplicate };
    },
    ping: () => Promise.resolve(),
  };
  const signalBatch = async (incident: OpenIncident, alerts: readonly Alert[]): Promise<'delivered' | 'closed'> => {
    calls.push(`batch ${alerts.length}`);
    await Promise.resolve();
    if (failing) throw failing;
    const run = [...runs.values()].find((r) => r.runId === incident.runId);
    if (!run?.open) return 'closed';
    run.alerts.push(...alerts.map((a) => a.alertId));
    return 'delivered';
  };
  return {
    gateway,
    signalBatch,
    calls,
    runs,
    fail: (error: IngressError | undefined) => {
      failing = error;
    },
  };
}

describe('IncidentCache', () => {
  const incident = { workflowId: 'incident-fp', runId: 'r1', incidentId: 'incident-fp' };

  it('forgets an entry after its TTL, and the oldest first when full', () => {
    const cache = new IncidentCache({ ttlMs: 1_000, maxIncidents: 2 });
    cache.confirm('a', incident, ['k1'], 0);
    expect(cache.hasSeen('a', 'k1', 999)).toBe(true);
    expect(cache.get('a', 1_000)).toBeUndefined();
    cache.confirm('a', incident, [], 2_000);
    cache.confirm('b', incident, [], 2_001);
    cache.confirm('c', incident, [], 2_002);
    expect(cache.get('a', 2_003)).toBeUndefined();
    expect(cache.get('c', 2_003)).toEqual(incident);
    expect(cache.size).toBe(2);
  });

  it('a new run of the fingerprint replaces the old one and its alert ids; forget names the run', () => {
    const cache = new IncidentCache();
    cache.confirm('a', incident, ['k1'], 0);
    cache.confirm('a', { ...incident, runId: 'r2', incidentId: 'incident-fp.2' }, [], 1);
    expect(cache.hasSeen('a', 'k1', 2)).toBe(false);
    cache.forget('a', 'r1');
    expect(cache.get('a', 2)?.runId).toBe('r2');
    cache.forget('a', 'r2');
    expect(cache.get('a', 2)).toBeUndefined();
  });

  it('bounds the alert ids held per incident', () => {
    const cache = new IncidentCache({ maxAlertIdsPerIncident: 2 });
    cache.confirm('a', incident, ['k1', 'k2', 'k3'], 0);
    expect([cache.hasSeen('a', 'k1', 1), cache.hasSeen('a', 'k2', 1), cache.hasSeen('a', 'k3', 1)]).toEqual([false, true, true]);
  });
});

describe('coalescing gateway', () => {
  it('100 concurrent alerts of one new fingerprint → one start, the rest in a batch signal; every alert reaches the run once', async () => {
    const t = fakeTemporal();
    const g = createCoalescingGateway(t.gateway, { signalBatch: t.signalBatch, batchIntervalMs: 5 });
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => g.accept(alert(`a${i}`), choice)));
    expect(t.calls.filter((c) => c.startsWith('start'))).toHaveLength(1);
    expect(t.calls.filter((c) => c.startsWith('batch')).length).toBeLessThanOrEqual(2);
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.incidentId))).toEqual(new Set(['inc-1']));
    expect([...(t.runs.get('fp-1')?.alerts ?? [])].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `a${i}`).sort());
  });

  it('an alert id the run already holds costs no call at all', async () => {
    const t = fakeTemporal();
    const g = createCoalescingGateway(t.gateway, { signalBatch: t.signalBatch, batchIntervalMs: 0 });
    await g.accept(alert('a1'), choice);
    await g.accept(alert('a2'), choice);
    const calls = t.calls.length;
    expect(await g.accept(alert('a1'), choice)).toMatchObject({ duplicate: true, incidentId: 'inc-1' });
    expect(await g.accept(alert('a2'), choice)).toMatchObject({ duplicate: true });
    expect(t.calls).toHaveLength(calls);
    expect(g.alreadyHeld(alert('a2'))).toBe(true);
    expect(g.alreadyHeld(alert('a3'))).toBe(false);
  });

  it('a batch whose run closed meanwhile opens the next generation: the alert is not lost', async () => {
    const t = fakeTemporal();
    const g = createCoalescingGateway(t.gateway, { signalBatch: t.signalBatch, batchIntervalMs: 0 });
    await g.accept(alert('a1'), choice);
    (t.runs.get('fp-1') as { open: boolean }).open = false;
    const answer = await g.accept(alert('a2'), choice);
    expect(answer).toMatchObject({ incidentId: 'inc-2', duplicate: false });
    expect(t.runs.get('fp-1')?.alerts).toEqual(['a2']);
    expect(g.known('fp-1')?.runId).toBe('run-2');
  });

  it('Temporal unavailable during the first start: the waiting alerts get the same 503, not a queue of starts', async () => {
    const t = fakeTemporal();
    const g = createCoalescingGateway(t.gateway, { signalBatch: t.signalBatch });
    t.fail(new IngressError(503, 'temporal_unavailable', 'down'));
    const answers = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => g.accept(alert(`a${i}`), choice)));
    expect(answers.every((a) => a.status === 'rejected' && (a.reason as IngressError).status === 503)).toBe(true);
    expect(t.calls.filter((c) => c.startsWith('start'))).toHaveLength(1);
    expect(g.known('fp-1')).toBeUndefined();
  });

  it('a failed batch rejects its alerts (nothing is answered before Temporal holds it) and is not remembered as seen', async () => {
    const t = fakeTemporal();
    const g = createCoalescingGateway(t.gateway, { signalBatch: t.signalBatch, batchIntervalMs: 0 });
    await g.accept(alert('a1'), choice);
    t.fail(new IngressError(503, 'temporal_unavailable', 'down'));
    await expect(g.accept(alert('a2'), choice)).rejects.toMatchObject({ status: 503 });
    expect(g.cache.hasSeen('fp-1', alertKey(alert('a2')), Date.now())).toBe(false);
  });
});
