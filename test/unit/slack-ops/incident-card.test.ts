import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../../src/domain/incident';
import {
  APPROVAL_BLOCK_PREFIX,
  APPROVE_ACTION_ID,
  CARD_SUMMARY_BLOCK_ID,
  DENY_ACTION_ID,
  parseApprovalButtonValue,
  renderIncidentCard,
} from '../../../src/slack/cards/incident-card';
import { incidentState } from './incident-fixture';

type Block = Record<string, unknown> & { type: string; block_id?: string; elements?: Array<Record<string, unknown>> };

const blocksOf = (state = incidentState()): Block[] => (renderIncidentCard(state).blocks ?? []) as Block[];
const allText = (blocks: Block[]): string => JSON.stringify(blocks);

describe('incident card', () => {
  it('shows status, principal, every step with its status, forensic totals and the clock deadline', () => {
    const blocks = blocksOf();
    const text = allText(blocks);
    expect(blocks.some((b) => b.block_id === CARD_SUMMARY_BLOCK_ID)).toBe(true);
    expect(text).toContain('*Status*\\nopen');
    expect(text).toContain('User:report-exporter');
    expect(text).toContain('`contain` (contain) — awaiting-approval');
    expect(text).toContain('`rotate` (rotate-credentials) — pending');
    expect(text).toContain('1,234,567 records, 987,654,321 bytes read from 3 partition(s) of orders; 4,321 data subjects');
    expect(text).toContain('GDPR: deadline 2099-01-01T00:00:00.000Z — not filed yet');
    expect(renderIncidentCard(incidentState()).text).toContain('2 approval(s) pending');
  });

  it('has one approve/deny row per pending approval, carrying the step and role', () => {
    const rows = blocksOf().filter((b) => b.type === 'actions');
    expect(rows.map((r) => r.block_id)).toEqual([`${APPROVAL_BLOCK_PREFIX}appr-contain`, `${APPROVAL_BLOCK_PREFIX}appr-notify`]);
    const [approve, deny] = rows[0]?.elements ?? [];
    expect(approve?.action_id).toBe(APPROVE_ACTION_ID);
    expect(deny?.action_id).toBe(DENY_ACTION_ID);
    expect(parseApprovalButtonValue(approve?.value as string)).toEqual({ incidentId: 'incident-abc', approvalId: 'appr-contain', stepId: 'contain', role: 'incident-commander' });
  });

  it('drops the buttons of a decided step and shows its new status', () => {
    const s = applyEvent(incidentState(), {
      incidentId: 'incident-abc',
      seq: 7,
      type: 'ApprovalGranted',
      at: '2026-11-22T01:05:00.000Z',
      actor: { kind: 'user', id: 'U0COMMANDER' },
      data: { approvalId: 'appr-contain', stepId: 'contain', role: 'incident-commander', approver: 'U0COMMANDER' },
    });
    const blocks = blocksOf(s);
    expect(blocks.filter((b) => b.type === 'actions').map((r) => r.block_id)).toEqual([`${APPROVAL_BLOCK_PREFIX}appr-notify`]);
    expect(allText(blocks)).toContain('`contain` (contain) — approved');
  });

  it('is a pure function of the state', () => {
    expect(renderIncidentCard(incidentState())).toEqual(renderIncidentCard(incidentState()));
  });

  it('rejects button values that are not its own', () => {
    expect(parseApprovalButtonValue(undefined)).toBeUndefined();
    expect(parseApprovalButtonValue('not json')).toBeUndefined();
    expect(parseApprovalButtonValue('{"incidentId":1}')).toBeUndefined();
  });

  it('keeps every section within Slack limits for a long title', () => {
    const s = { ...incidentState(), title: 'x'.repeat(500) };
    const header = blocksOf(s)[0] as unknown as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
  });

  // Issue 13: evidence progress from evidenceProgressQuery, while the replay runs.
  it('shows evidence progress (records, bytes, partitions, rate, ETA) while the replay runs, and not once it is done', () => {
    const progress = {
      startedAt: '2026-11-20T09:00:00.000Z', updatedAt: '2026-11-20T09:01:00.000Z', records: '600000', totalRecords: '1234567', bytes: '180000000', totalBytes: '987654321',
      evidenceBytes: '205000000', partitionsDone: 1, partitionsTotal: 3, recordsPerSecond: 10000, etaSeconds: 64, done: false,
    };
    const text = JSON.stringify(renderIncidentCard(incidentState(), progress).blocks);
    expect(text).toContain('*Evidence replay*: 600,000 of 1,234,567 records, 180.0 of 987.7 MB, 1/3 partitions, 10000 records/s, about 64 s left');
    expect(JSON.stringify(renderIncidentCard(incidentState(), { ...progress, done: true }).blocks)).not.toContain('Evidence replay');
  });
});

describe('incident card: war room work (issue 16)', () => {
  it('counts open tasks, lists them, and leaves cards without tasks as they were', () => {
    const base = incidentState();
    expect(allText(blocksOf(base))).not.toContain('*Tasks*');
    const s = {
      ...base,
      tasks: [
        { number: 1, assignee: 'rita', text: 'rotate keys', addedBy: 'U1', at: base.openedAt, done: { by: 'U1', at: base.openedAt } },
        { number: 2, assignee: 'U0DPOFFICER', text: '<!channel> check', addedBy: 'U1', at: base.openedAt },
      ],
      notes: [{ text: 'paused', addedBy: 'U1', at: base.openedAt }],
    };
    const card = renderIncidentCard(s);
    const text = allText((card.blocks ?? []) as Block[]);
    expect(text).toContain('*Tasks*: 1 open of 2');
    expect(text).toContain('• 2. <!channel> check — U0DPOFFICER');
    expect(text).not.toContain('rotate keys');
    expect(text).toContain('*Follow-ups*: 0 · *Notes*: 1');
    expect(card.text).toContain('; 1 open task');
  });
});
