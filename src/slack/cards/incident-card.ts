import type { IncidentState, StepStatus } from '../../domain/incident';
import { openTasks } from '../../domain/incident-notes';
import { unlocatedBrief } from '../../domain/unlocated-writes';
import type { MessageBlock, MessageContent } from '../conversation-port';
import type { EvidenceProgress } from '../../../workflows/api';
import { questionBlocks } from '../../actions/wait-for';

/** Action id of a pending approval's Approve button. */
export const APPROVE_ACTION_ID = 'breachline_card_approve';
/** Action id of a pending approval's Deny button. */
export const DENY_ACTION_ID = 'breachline_card_deny';
/** Block id of the card's summary section, so tests and updates can find a card. */
export const CARD_SUMMARY_BLOCK_ID = 'breachline_card_summary';
/** Block id prefix of each pending approval's button row: `breachline_card_approval:<approvalId>`. */
export const APPROVAL_BLOCK_PREFIX = 'breachline_card_approval:';

/** What an approve/deny button carries, JSON-encoded in its `value`. */
export interface ApprovalButtonValue {
  /** Incident id (the workflow id). */
  readonly incidentId: string;
  readonly approvalId: string;
  readonly stepId: string;
  /** The role the step is gated on. */
  readonly role: string;
}

/** Parses a button value; undefined when it is not one of ours (a forged or stale payload). */
export function parseApprovalButtonValue(value: string | undefined): ApprovalButtonValue | undefined {
  if (value === undefined) return undefined;
  try {
    const v = JSON.parse(value) as Record<string, unknown>;
    const { incidentId, approvalId, stepId, role } = v;
    if (typeof incidentId !== 'string' || typeof approvalId !== 'string' || typeof stepId !== 'string' || typeof role !== 'string') return undefined;
    return { incidentId, approvalId, stepId, role };
  } catch {
    return undefined;
  }
}

const STEP_ICON: Readonly<Record<StepStatus, string>> = {
  pending: ':white_circle:',
  'awaiting-approval': ':hourglass_flowing_sand:',
  approved: ':ballot_box_with_check:',
  denied: ':no_entry_sign:',
  planned: ':memo:',
  running: ':arrows_counterclockwise:',
  completed: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
  compensated: ':leftwards_arrow_with_hook:',
};

/** Slack caps section text at 3000 characters; longer text is cut with a marker. */
function cap(text: string, max = 2900): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const grouped = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function section(text: string, blockId?: string): MessageBlock {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text: cap(text) } };
}

/** Evidence replay progress (issue 13): records, bytes, rate and ETA while it runs. */
export function evidenceProgressText(p: EvidenceProgress): string {
  const mb = (b: string): string => (Number(b) / 1e6).toFixed(1);
  const eta = p.etaSeconds !== null ? `, about ${p.etaSeconds} s left` : '';
  return `*Evidence replay*: ${grouped(p.records)} of ${grouped(p.totalRecords)} records, ${mb(p.bytes)} of ${mb(p.totalBytes)} MB, ${p.partitionsDone}/${p.partitionsTotal} partitions, ${p.recordsPerSecond} records/s${eta}`;
}

/** Forensic totals over every topic's window, plus evidence preserved so far. */
function forensicText(s: IncidentState): string {
  const windows = Object.values(s.forensicWindows);
  if (windows.length === 0) return '*Forensics*: no window established yet';
  let records = 0n;
  let bytes = 0n;
  let partitions = 0;
  let subjects = 0;
  let approximate = false;
  for (const w of windows) {
    records += BigInt(w.totals.records);
    bytes += BigInt(w.totals.bytes);
    partitions += w.totals.partitions;
    subjects += w.dataSubjects.count;
    if (w.dataSubjects.method !== 'exact') approximate = true;
  }
  return (
    `*Forensics*: ${grouped(records.toString())} records, ${grouped(bytes.toString())} bytes read from ${partitions} partition(s) ` +
    `of ${windows.map((w) => w.topic).join(', ')}; ${approximate ? '≈' : ''}${grouped(String(subjects))} data subjects. ` +
    `Evidence preserved: ${grouped(s.evidence.records)} records in ${s.evidence.chunks} chunk(s).` +
    unplacedText(windows)
  );
}

/** Writes the forensics could not place (access: write): the window is a lower bound; nothing when none. */
function unplacedText(windows: ReadonlyArray<IncidentState['forensicWindows'][string]>): string {
  const briefs = windows.map((w) => unlocatedBrief(w.topic, w.unlocatedWrites)).filter((b): b is string => b !== undefined);
  return briefs.length === 0 ? '' : `\n:warning: ${briefs.join('; ')}: the window is a lower bound.`;
}

function clocksText(s: IncidentState): string {
  const clocks = Object.values(s.clocks);
  if (clocks.length === 0) return '*Regulatory clocks*: none started';
  const lines = clocks.map((c) => {
    const state = c.filed
      ? `filed ${c.filed.late ? 'LATE' : 'on time'} with ${c.filed.authority} (ref ${c.filed.reference})`
      : c.missed
        ? ':rotating_light: deadline MISSED, not filed'
        : 'not filed yet';
    return `• ${c.regime.toUpperCase()}: ${c.notNotifiable !== undefined ? 'not notifiable' : c.deadlineAt !== null ? `deadline ${c.deadlineAt}` : 'no due yet'} — ${state}`;
  });
  return `*Regulatory clocks*\n${lines.join('\n')}`;
}

/** How many open tasks a card lists by name; the rest are counted. */
const CARD_TASKS_LISTED = 5;

/**
 * Tasks (open count, then the open ones), follow-ups and notes (counts, the latest note). The
 * texts are people's words: the conversation port escapes them when the card is posted.
 */
function workText(s: IncidentState): string | undefined {
  const tasks = s.tasks ?? [];
  const followUps = s.followUps ?? [];
  const notes = s.notes ?? [];
  if (tasks.length + followUps.length + notes.length === 0) return undefined;
  const open = openTasks(s);
  const lines = [`*Tasks*: ${open.length} open of ${tasks.length}`];
  for (const t of open.slice(0, CARD_TASKS_LISTED)) lines.push(`• ${t.number}. ${cap(t.text, 200)} — ${t.assignee}`);
  if (open.length > CARD_TASKS_LISTED) lines.push(`• … and ${open.length - CARD_TASKS_LISTED} more`);
  lines.push(`*Follow-ups*: ${followUps.length} · *Notes*: ${notes.length}`);
  const latest = notes.at(-1);
  if (latest !== undefined) lines.push(`Latest note (${latest.addedBy}): ${cap(latest.text, 300)}`);
  return lines.join('\n');
}

/** The lifecycle status, flagged when the playbook waits for an operator's decision. */
export function statusText(s: IncidentState): string {
  return s.attention.length > 0 && s.status !== 'closed' ? `needs-attention (${s.status})` : s.status;
}

function attentionText(s: IncidentState): string {
  const lines = s.attention.map((a) => `• \`${a.stepId}\` (${a.kind}) since ${a.since}: ${a.message}`);
  return `:rotating_light: *Needs attention*: \`retry <id> <step>\`, \`skip <id> <step> <reason>\` or \`abort <id> <reason>\`\n${lines.join('\n')}`;
}

/**
 * The incident card: a pure function of the incident state. Status, principal, each step with its
 * status, forensic totals, regulatory clocks with their deadlines, and one Approve/Deny row per
 * pending approval. The same state always renders the same blocks, so an update is only sent
 * when something moved.
 */
export function renderIncidentCard(s: IncidentState, progress: EvidenceProgress | null = null): MessageContent {
  const blocks: MessageBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cap(`${s.severity.toUpperCase()}: ${s.title}`, 150) } },
    {
      type: 'section',
      block_id: CARD_SUMMARY_BLOCK_ID,
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${statusText(s)}` },
        { type: 'mrkdwn', text: `*Principal*\n\`${s.principal}\`` },
        { type: 'mrkdwn', text: `*Mode*\n${s.mode}` },
        { type: 'mrkdwn', text: `*Opened*\n${s.openedAt}` },
      ],
    },
    section(`*Steps*\n${s.steps.map((st) => `${STEP_ICON[st.status]} \`${st.id}\` (${st.action}) — ${st.status}${st.attempts > 1 ? `, attempt ${st.attempts}` : ''}`).join('\n')}`),
    section(forensicText(s) + (progress !== null && !progress.done ? `\n${evidenceProgressText(progress)}` : '')),
    section(clocksText(s)),
  ];
  if (s.attention.length > 0) blocks.splice(2, 0, section(attentionText(s)));
  for (const a of s.pendingApprovals) {
    const value: ApprovalButtonValue = { incidentId: s.incidentId, approvalId: a.approvalId, stepId: a.stepId, role: a.role };
    blocks.push(section(`:raised_hand: Step \`${a.stepId}\` waits for *${a.role}*: ${a.reason}`));
    blocks.push({
      type: 'actions',
      block_id: `${APPROVAL_BLOCK_PREFIX}${a.approvalId}`.slice(0, 255),
      elements: [
        { type: 'button', action_id: APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: JSON.stringify(value) },
        { type: 'button', action_id: DENY_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: JSON.stringify(value) },
      ],
    });
  }
  // wait-for (issue 17): each open question with one button per answer, as its own message has.
  if (s.status !== 'closed') for (const q of s.pendingDecisions ?? []) blocks.push(...(questionBlocks(s.incidentId, q) as MessageBlock[]));
  // War room (issue 16): shown once there is any, so cards of incidents without keep their shape.
  const work = workText(s);
  if (work !== undefined) blocks.push(section(work));
  if (s.closure) blocks.push(section(`*Closed* ${s.closedAt ?? ''}: ${s.closure.resolution}`));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: cap(`\`${s.incidentId}\` · runbook ${s.runbook.id} v${s.runbook.version} · ${s.lastSeq} events`, 2000) }],
  });
  const waiting = s.pendingApprovals.length > 0 ? `; ${s.pendingApprovals.length} approval(s) pending` : '';
  const open = openTasks(s).length;
  const tasks = open > 0 ? `; ${open} open task${open === 1 ? '' : 's'}` : '';
  return { text: `Incident ${s.incidentId} (${s.severity}): ${s.title} — ${statusText(s)}${waiting}${tasks}`, blocks };
}
