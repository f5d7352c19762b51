import { describeDistinct } from './distinct-count';
import type { DomainEvent } from './events';
import { foldEvents, type IncidentState } from './incident';
import { stageStanding } from './incident-clocks';
import { openTasks } from './incident-notes';
import { timeline } from './timeline';
import { unlocatedStatement } from './unlocated-writes';

/**
 * The post-incident report as Markdown: a pure function of the incident's events, so the report
 * rebuilt from the audit topic alone is byte-for-byte the one built from the workflow's state.
 * It carries counts, references and hashes only, never personal data or secrets.
 */

/** Options for {@link renderReport}. */
export interface ReportOptions {
  /** Include the full event timeline. @default true */
  includeTimeline?: boolean;
}

/** Renders the report of an incident from its events (any order; sorted by `seq`). */
export function renderReport(events: readonly DomainEvent[], options: ReportOptions = {}): string {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const s = foldEvents(ordered);
  const out: string[] = [];
  out.push(`# Incident report: ${s.title}`, '');
  out.push(
    table(
      ['field', 'value'],
      [
        ['incident', s.incidentId],
        ['severity', s.severity],
        ['mode', s.mode],
        ['status', s.status],
        ['opened', s.openedAt],
        ['closed', s.closedAt ?? 'open'],
        ['principal', s.principal],
        ['runbook', `${s.runbook.id} v${s.runbook.version} (sha256 ${s.runbook.contentHash})`],
        ['alerts correlated', String(s.alertsCorrelated)],
        ['events', String(s.lastSeq)],
      ],
    ),
  );
  out.push('', '## Actions', '');
  out.push(table(['step', 'action', 'status', 'attempts', 'started', 'finished'], s.steps.map((st) => [st.id, st.action, st.status, String(st.attempts), st.startedAt ?? '', st.finishedAt ?? ''])));
  out.push('', ...actionLines(s));
  out.push('', '## Forensic figures', '');
  out.push(...forensicLines(s));
  out.push('', '## Notifications', '');
  out.push(...notificationLines(s, ordered));
  out.push('', '## Open items', '');
  const items = s.closure?.openItems ?? [];
  out.push(...(items.length > 0 ? items.map((i) => `- ${i}`) : ['- none']));
  if (s.closure !== undefined) out.push('', `Resolution: ${s.closure.resolution}`);
  // War room (issue 16): only when there were any, so earlier reports keep their shape.
  out.push(...workLines(s));
  // Only when there were any, so reports of incidents without refusals keep their shape.
  if (s.refusals.length > 0) {
    out.push('', '## Refused commands', '');
    out.push(table(['at', 'user', 'role', 'action', 'request'], s.refusals.map((r) => [r.refusedAt, r.userId, r.role, r.action, r.request])));
  }
  if (options.includeTimeline ?? true) {
    out.push('', '## Timeline', '');
    out.push(table(['seq', 'at', 'event'], timeline(ordered).map((t) => [String(t.seq), t.at, t.summary])));
  }
  return `${out.join('\n')}\n`;
}

/** Open tasks and follow-ups, then the notes, each as typed (Markdown tables escape what they must). */
function workLines(s: IncidentState): string[] {
  const lines: string[] = [];
  const tasks = s.tasks ?? [];
  if (tasks.length > 0) {
    const open = openTasks(s);
    lines.push('', '## Tasks', '', `${open.length} open of ${tasks.length}.`, '');
    lines.push(table(['task', 'assignee', 'text', 'added', 'done'], tasks.map((t) => [String(t.number), t.assignee, t.text, `${t.at} by ${t.addedBy}`, t.done ? `${t.done.at} by ${t.done.by}` : 'OPEN'])));
  }
  if ((s.followUps ?? []).length > 0) {
    lines.push('', '## Follow-ups', '');
    lines.push(table(['added', 'by', 'follow-up'], (s.followUps ?? []).map((f) => [f.at, f.addedBy, f.text])));
  }
  if ((s.notes ?? []).length > 0) {
    lines.push('', '## Notes', '');
    lines.push(table(['at', 'by', 'note'], (s.notes ?? []).map((n) => [n.at, n.addedBy, n.text])));
  }
  return lines;
}

function actionLines(s: IncidentState): string[] {
  const lines: string[] = [];
  for (const r of s.revokedPrincipals) {
    lines.push(`- Access revoked for ${r.principal} at ${r.at}: ${r.removedAllowBindings.length} ALLOW removed, ${r.addedDenyBindings.length} DENY added, verified: ${r.verified}`);
  }
  for (const c of Object.values(s.rotatedCredentials).sort((a, b) => (a.account < b.account ? -1 : 1))) {
    lines.push(`- Credentials of ${c.account} rotated at ${c.at} (${c.mechanism}; Vault ${c.vaultPath} v${c.vaultVersion}; verified: ${c.verified})`);
  }
  for (const c of s.revokedCredentials) lines.push(`- Revoked ${c.credential} of ${c.account} (${c.reference}) at ${c.at}`);
  for (const [name, b] of Object.entries(s.breakers).sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`- Breaker ${name} on ${b.topic} (${b.principals.join(', ')}): opened ${b.openedAt}, ${b.state === 'closed' ? `closed ${b.closedAt ?? ''}` : 'still open'}`);
  }
  for (const d of s.decisions) lines.push(`- Approval ${d.approvalId} (${d.role}) ${d.granted ? 'granted' : 'refused'} by ${d.approver} at ${d.at}`);
  return lines.length > 0 ? lines : ['- no action recorded'];
}

function forensicLines(s: IncidentState): string[] {
  const lines: string[] = [];
  for (const [topic, hold] of Object.entries(s.legalHolds)) lines.push(`- Legal hold on ${topic} at ${hold.at}: retention.ms ${hold.previousRetentionMs} → ${hold.retentionMs}`);
  for (const w of Object.values(s.forensicWindows)) {
    lines.push(
      `- ${w.topic}: ${w.totals.records} records, ${w.totals.bytes} bytes${w.bytesExact ? '' : ' (estimated)'} from ${w.totals.partitions} partitions; ` +
        `${describeDistinct(w.dataSubjects)}; PII categories: ${w.piiCategories.join(', ') || 'none'}; sources: ${w.sources.join(', ')}`,
    );
    // Windows that state their precision (issue 12) get two more columns; earlier ones print as before.
    // Writes the forensics could not place (access: write): said next to the window they bound.
    const unplaced = unlocatedStatement(w.unlocatedWrites);
    if (unplaced !== undefined) lines.push(`  - Not in this window: ${unplaced}`);
    const labelled = w.partitions.some((p) => p.precision !== undefined);
    const header = ['partition', 'from', 'to', 'records', 'bytes', 'aged out', ...(labelled ? ['precision', 'sources'] : [])];
    const rows = w.partitions.map((p) => [String(p.partition), p.from, p.to, p.records, p.bytes, p.clampedRecords, ...(labelled ? [p.precision ?? 'not stated', (p.sources ?? []).join(', ')] : [])]);
    lines.push('', table(header, rows), '');
  }
  lines.push(`- Evidence preserved: ${s.evidence.records} records in ${s.evidence.chunks} chunks`);
  return lines;
}

function notificationLines(s: IncidentState, events: readonly DomainEvent[]): string[] {
  const lines: string[] = [];
  for (const c of Object.values(s.clocks)) {
    lines.push(`- ${c.regime.toUpperCase()} (${c.authority}): aware ${c.awarenessAt}${c.notNotifiable !== undefined ? `; not notifiable: ${c.notNotifiable.reasoning}` : ''}`);
    for (const st of c.stages) {
      const standing = stageStanding(c, st);
      lines.push(`  - ${st.stage}: due ${st.due ?? 'not yet known'} (${st.rule}) — ${standing}`);
      for (const f of st.filings) {
        lines.push(`    - ${f.phase} filing with ${f.authority} at ${f.filedAt}, ref ${f.reference}${f.late ? `, late: ${f.lateReason ?? ''}` : ', on time'}`);
      }
      if (st.reminders.length > 0) lines.push(`    - reminders sent: ${st.reminders.map((r) => `${r.mark} (${r.sentAt})`).join(', ')}`);
    }
    if (c.dataSubjectNotification !== undefined) {
      lines.push(`  - data subjects to notify (Art. 34): ${c.dataSubjectNotification.dataSubjects}; ${c.dataSubjectNotification.reasons.join('; ')}`);
    }
    if (c.dataSubjectDecision !== undefined) lines.push(`  - Art. 34 decision (${c.dataSubjectDecision.decidedBy}): ${c.dataSubjectDecision.decision}: ${c.dataSubjectDecision.reason}`);
    if (c.dataSubjectsNotified !== undefined) lines.push(`  - data subjects notified at ${c.dataSubjectsNotified.filedAt}, ref ${c.dataSubjectsNotified.reference}`);
  }
  const filings = events.filter((e) => e.type === 'NotificationFiled').length;
  if (lines.length === 0) lines.push('- no regulatory clock started');
  lines.push(`- filings recorded: ${filings}`);
  return lines;
}

function table(header: string[], rows: string[][]): string {
  const esc = (v: string): string => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
