import { describe, expect, it } from 'vitest';
import { windowView } from '../../../src/console/incident-views';
import { breachRegister } from '../../../src/domain/breach-register';
import type { DomainEvent, UnlocatedWritesEntry } from '../../../src/domain/events';
import { foldEvents } from '../../../src/domain/incident';
import { draftNotification } from '../../../src/domain/notification-draft';
import { incidentFacts } from '../../../src/domain/regimes/incident-facts';
import { renderReport } from '../../../src/domain/report';
import { summarize } from '../../../src/domain/timeline';
import { renderIncidentCard } from '../../../src/slack/cards/incident-card';
import { summariseUnlocated, unlocatedStatement } from '../../../src/domain/unlocated-writes';
import { forensics, gdprClock, Incident, opened } from '../regimes/fixtures';

/*
 * Writes the forensics could not place (acks=0 produces, unmapped topic ids) travel in the
 * ForensicWindowEstablished event, and every reader of the window says so: the fold keeps them,
 * the timeline, the report and the regulator drafts state them with the reason. A window without
 * them (an earlier release's, or a fully placed one) reads exactly as before.
 */

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const ACKS0 = 'acks=0: the broker logs no offsets for them';

const held = (i: Incident): Incident => i.add('LegalHoldApplied', { topic: 'orders', previousRetentionMs: '604800000', retentionMs: '-1' });

/** The fixture window of `orders`, with or without unplaced writes. */
function incident(unlocatedWrites?: UnlocatedWritesEntry[]): Incident {
  const i = held(gdprClock(opened('inc-u')));
  forensics(i);
  if (unlocatedWrites !== undefined) (i.events[i.events.length - 1] as { data: Record<string, unknown> }).data.unlocatedWrites = unlocatedWrites;
  return i;
}

const ACKS0_ON_ORDERS: UnlocatedWritesEntry[] = [{ reason: 'acks-0', count: 3, topicNamed: true, partitions: [0, 2], firstTs: T0, lastTs: T0 + 60_000 }];

const windowEvent = (i: Incident): DomainEvent => i.events.find((e) => e.type === 'ForensicWindowEstablished')!;

describe('summariseUnlocated', () => {
  it('counts per reason with partitions and first/last time, keeps writes naming no topic, drops other topics and client ids', () => {
    const entries = summariseUnlocated(
      [
        { topic: 'orders', partition: 2, time: T0 + 60_000, reason: 'acks-0', clientId: 'app-1', clientAddress: '10.0.0.7' } as never,
        { topic: 'orders', partition: 0, time: T0, reason: 'acks-0' },
        { topic: 'orders', partition: 2, time: T0 + 30_000, reason: 'acks-0' },
        { topic: 'payments', partition: 1, time: T0, reason: 'acks-0' },
        { partition: 5, time: T0 + 5_000, reason: 'unknown-topic-id' },
        { time: 0, reason: 'acks-0' },
      ],
      'orders',
    );
    expect(entries).toEqual([
      { reason: 'acks-0', count: 3, topicNamed: true, partitions: [0, 2], firstTs: T0, lastTs: T0 + 60_000 },
      { reason: 'acks-0', count: 1, topicNamed: false, partitions: [], firstTs: null, lastTs: null },
      { reason: 'unknown-topic-id', count: 1, topicNamed: false, partitions: [5], firstTs: T0 + 5_000, lastTs: T0 + 5_000 },
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/app-1|10\.0\.0\.7/);
  });

  it('nothing to say when every write was placed', () => {
    expect(summariseUnlocated([{ topic: 'payments', partition: 0, time: T0, reason: 'acks-0' }], 'orders')).toEqual([]);
    expect(unlocatedStatement([])).toBeUndefined();
    expect(unlocatedStatement(undefined)).toBeUndefined();
  });
});

describe('unplaced writes in the fold, the timeline, the report and the drafts', () => {
  it('the fold keeps them with the window', () => {
    expect(foldEvents(incident(ACKS0_ON_ORDERS).events).forensicWindows.orders?.unlocatedWrites).toEqual(ACKS0_ON_ORDERS);
  });

  it('the timeline line states the count, the reason, the partitions and the times, and that the window is a lower bound', () => {
    expect(summarize(windowEvent(incident(ACKS0_ON_ORDERS)))).toMatch(
      new RegExp(
        `; ≈48,213 data subjects \\(±0\\.80% standard error\\)\\. 3 writes of the principal could not be placed \\(${ACKS0}\\) on partitions 0, 2 ` +
          'between 2026-11-20T08:00:00.000Z and 2026-11-20T08:01:00.000Z\\. The window is a lower bound for this topic\\.$',
      ),
    );
  });

  it('the report states them next to the window', () => {
    const md = renderReport(incident(ACKS0_ON_ORDERS).events, { includeTimeline: false });
    const lines = md.split('\n');
    const window = lines.findIndex((l) => l.startsWith('- orders: 1234567 records'));
    expect(window).toBeGreaterThan(-1);
    expect(lines[window + 1]).toBe(
      `  - Not in this window: 3 writes of the principal could not be placed (${ACKS0}) on partitions 0, 2 between 2026-11-20T08:00:00.000Z and 2026-11-20T08:01:00.000Z. The window is a lower bound for this topic.`,
    );
  });

  it('writes naming no topic say they may be to this topic or another, with the reason', () => {
    const one: UnlocatedWritesEntry[] = [{ reason: 'unknown-topic-id', count: 1, topicNamed: false, partitions: [4], firstTs: T0, lastTs: T0 }];
    const md = renderReport(incident(one).events, { includeTimeline: false });
    expect(md).toContain(
      '1 write of the principal could not be placed (Produce v13+ lines naming a topic id no metadata maps: neither topic nor offsets are known) on partition 4 at 2026-11-20T08:00:00.000Z; the log lines name no topic, so they may be to this topic or another.',
    );
  });

  it('the GDPR and DORA drafts state them beside the figures', () => {
    const events = incident(ACKS0_ON_ORDERS).events;
    for (const [regime, stage] of [['gdpr', 'authority'], ['dora', 'initial']] as const) {
      const md = draftNotification(events, regime, stage);
      expect(md).toContain(`- Not in the figures for orders: 3 writes of the principal could not be placed (${ACKS0}) on partitions 0, 2`);
      expect(md).toContain('The window is a lower bound for this topic.');
    }
  });

  it('the Art. 33(5) breach register says the figures of that topic are lower bounds', () => {
    expect(breachRegister([incident(ACKS0_ON_ORDERS).events])[0]?.effects).toMatch(/; 3 writes on orders could not be placed \(acks=0\): those figures are lower bounds$/);
  });

  it('the regulatory facts keep them per topic; a garbled entry is skipped, not a crash', () => {
    const i = incident([...ACKS0_ON_ORDERS, { reason: 'bogus', count: 2 } as never, { reason: 'acks-0', count: -1 } as never]);
    expect(incidentFacts(i.events).effects.unlocatedWrites).toEqual([{ topic: 'orders', ...ACKS0_ON_ORDERS[0] }]);
  });

  it('the Slack card warns that the window is a lower bound', () => {
    const card = JSON.stringify(renderIncidentCard(foldEvents(incident(ACKS0_ON_ORDERS).events)).blocks);
    expect(card).toContain(':warning: 3 writes on orders could not be placed (acks=0): the window is a lower bound.');
  });

  it('the console\'s window view carries the statement beside the partitions', () => {
    expect(windowView(foldEvents(incident(ACKS0_ON_ORDERS).events))?.unplaced).toEqual([
      { topic: 'orders', count: 3, statement: expect.stringMatching(/^3 writes of the principal could not be placed \(acks=0: .*The window is a lower bound for this topic\.$/) },
    ]);
  });

  it('a window without them (an earlier release, or all placed) reads exactly as before', () => {
    const old = incident();
    const empty = incident([]);
    expect('unlocatedWrites' in (windowEvent(old).data as object)).toBe(false);
    expect(foldEvents(old.events).forensicWindows.orders).toEqual(windowEvent(old).data);
    expect(summarize(windowEvent(old))).toBe(
      'Forensic window on orders: 1,234,567 records (987,654,321 bytes) read from 3 partitions between 2026-03-27T02:00:00.000Z and 2026-03-27T09:30:00.000Z; ≈48,213 data subjects (±0.80% standard error)',
    );
    expect(summarize(windowEvent(empty))).toBe(summarize(windowEvent(old)));
    expect(renderReport(empty.events)).toBe(renderReport(old.events));
    for (const events of [old.events, empty.events]) {
      expect(renderReport(events)).not.toContain('could not be placed');
      expect(draftNotification(events, 'gdpr', 'authority')).not.toContain('could not be placed');
      expect(incidentFacts(events).effects).not.toHaveProperty('unlocatedWrites');
      expect(JSON.stringify(renderIncidentCard(foldEvents(events)).blocks)).not.toContain('could not be placed');
      expect(windowView(foldEvents(events))).not.toHaveProperty('unplaced');
      expect(breachRegister([events])[0]?.effects).not.toContain('could not be placed');
    }
  });
});
