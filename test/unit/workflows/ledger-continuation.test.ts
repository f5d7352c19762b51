import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import type { EventDraft } from '../../../src/domain/step-contract';
import { Ledger } from '../../../workflows/ledger';

/*
 * The ledger's side of continue-as-new (issue 9): a new run takes over the events of the run it
 * continues, refolds them, numbers on from the last and ships only what the audit topic lacks;
 * while a run drains, no append starts, so none can be in flight when it ends.
 */

const actor = { kind: 'system' as const, id: 'workflow' };
const at = '2026-11-22T01:00:00.000Z';

const opened: EventDraft = {
  type: 'IncidentOpened',
  at,
  actor,
  data: {
    title: 'exfiltration',
    severity: 'critical',
    scenario: 'kafka-exfiltration',
    mode: 'live',
    principal: 'User:report-exporter',
    fingerprint: 'f'.repeat(64),
    runbook: { id: 'kafka-exfiltration', version: 1, contentHash: 'a'.repeat(64), steps: [{ id: 'contain', action: 'contain', approval: 'none' }] },
  },
};
const started: EventDraft = { type: 'StepStarted', at, actor, data: { stepId: 'contain', action: 'contain', attempt: 1 } };
const alert = (alertId: string): EventDraft => ({ type: 'AlertCorrelated', at, actor: { kind: 'siem', id: 'splunk' }, data: { source: 'splunk', alertId, rule: 'r', fingerprint: 'f'.repeat(64), receivedAt: at } });

/** A sink that records each batch's seqs and can be held open to model an append in flight. */
function sink(): { batches: number[][]; calls: () => number; append: (events: DomainEvent[]) => Promise<void>; gate: () => () => void } {
  const batches: number[][] = [];
  let calls = 0;
  let wait: Promise<void> = Promise.resolve();
  return {
    batches,
    calls: () => calls,
    append: async (events) => {
      calls++;
      await wait;
      batches.push(events.map((e) => e.seq));
    },
    gate: () => {
      let open!: () => void;
      wait = new Promise((r) => (open = r));
      return () => open();
    },
  };
}

describe('a ledger restored from a carry', () => {
  it('refolds the events, numbers on after the last, and ships only what was not shipped', async () => {
    const first = sink();
    const before = new Ledger('inc-1', first.append);
    for (const d of [opened, alert('a'), started, alert('b')]) before.commit(d);
    await before.flush();
    before.commit(alert('c'));
    expect(before.shipped).toBe(4);

    const out = sink();
    const after = new Ledger('inc-1', out.append);
    after.restore(before.events, before.shipped, undefined);
    expect(after.state).toEqual(before.state);
    expect(after.commit(alert('d')).seq).toBe(6);
    await after.flush();
    expect(out.batches).toEqual([[5, 6]]);
    expect(after.shipped).toBe(6);
  });

  it('keeps a halt: nothing ships until an operator resumes it', async () => {
    const out = sink();
    const ledger = new Ledger('inc-1', out.append);
    ledger.restore([{ ...opened, incidentId: 'inc-1', seq: 1 } as DomainEvent], 0, { type: 'AuditConflict', message: 'seq 1 differs' });
    await ledger.flush();
    expect(out.batches).toEqual([]);
    ledger.resume();
    await ledger.flush();
    expect(out.batches).toEqual([[1]]);
  });

  it('refuses to restore into a ledger that has events', () => {
    const ledger = new Ledger('inc-1', undefined);
    ledger.commit(opened);
    expect(() => ledger.restore([], 0, undefined)).toThrow(/fresh ledger/);
  });
});

describe('a held ledger (a run draining before it continues)', () => {
  it('waits for the append in flight, then starts none; release ships the rest', async () => {
    const out = sink();
    const ledger = new Ledger('inc-1', out.append);
    ledger.commit(opened);
    const open = out.gate();
    const inFlight = ledger.flush();
    while (out.calls() === 0) await Promise.resolve();
    let held = false;
    const holding = ledger.hold().then(() => (held = true));
    ledger.commit(alert('a'));
    ledger.flushInBackground();
    await Promise.resolve();
    expect(held).toBe(false);
    open();
    await Promise.all([inFlight, holding]);
    await ledger.flush();
    // The append in flight landed; the event committed while held waits for the next run.
    expect(out.batches).toEqual([[1]]);
    expect(ledger.shipped).toBe(1);
    ledger.release();
    await ledger.flush();
    expect(out.batches).toEqual([[1], [2]]);
  });
});
