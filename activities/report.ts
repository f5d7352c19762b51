import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { projectIncident, readAuditRecords } from '../src/audit/audit-reader';
import { renderReport } from '../src/domain/report';
import { createKafka, type KafkaConnection } from '../src/kafka/client';
import type { Logger } from '../src/log/logger';
import type { ConversationPort } from '../src/slack/conversation-port';

/** Dependencies of {@link createReportActivities}. */
export interface ReportActivityDeps {
  conversation?: ConversationPort;
  channel: string;
  logger: Logger;
  /** The report is rebuilt from the audit topic, so its input stays a few bytes whatever the incident's size. */
  kafka: KafkaConnection;
  auditTopic: string;
}

/** What the report step returns into history: its fingerprint, not its text. */
export interface PostedReport {
  posted: boolean;
  /** sha256 of the Markdown, to compare with a report rebuilt from the audit topic. */
  sha256: string;
  bytes: number;
}

/** Slack rejects messages much longer than this; the report is split into messages under it. */
const MESSAGE_LIMIT = 3500;

/**
 * Renders the post-incident report from the incident's events as the audit topic holds them (pure
 * rendering, `src/domain/report.ts`) and posts it to the incident channel. The workflow passes
 * only the incident id and the last seq it has flushed: no activity input carries the event log
 * (a large incident's events exceed Temporal's payload limit). Posting is best effort: the
 * report's digest is returned either way.
 */
export function createReportActivities(deps: ReportActivityDeps): {
  postReport(input: { incidentId: string; throughSeq: number; channel?: string; includeTimeline?: boolean }): Promise<PostedReport>;
} {
  const kafka = createKafka(deps.kafka, { clientId: 'breachline-report', logger: deps.logger });
  return {
    async postReport(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, activity: 'report' });
      const projection = projectIncident(await readAuditRecords(kafka, deps.auditTopic, { incidentId: input.incidentId }), input.incidentId);
      const events = (projection?.events ?? []).filter((e) => e.seq <= input.throughSeq);
      if (events.length < input.throughSeq) {
        // Retried: the audit topic has not caught up (shipping halted or still retrying).
        throw ApplicationFailure.create({ type: 'AuditBehind', message: `the audit topic holds ${events.length} of ${input.throughSeq} events of ${input.incidentId}`, nonRetryable: false });
      }
      // `report.includeTimeline` (absent: with the timeline, as before the parameter had an effect).
      const markdown = renderReport(events, { includeTimeline: input.includeTimeline ?? true });
      const sha256 = createHash('sha256').update(markdown).digest('hex');
      let posted = false;
      if (deps.conversation !== undefined) {
        try {
          for (const part of split(markdown, MESSAGE_LIMIT)) {
            await deps.conversation.postIncidentMessage({ channel: input.channel ?? deps.channel, text: part });
          }
          posted = true;
        } catch (err) {
          logger.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'report not posted');
        }
      }
      logger.info({ sha256, bytes: Buffer.byteLength(markdown) }, 'report rendered');
      return { posted, sha256, bytes: Buffer.byteLength(markdown) };
    },
  };
}

/** Splits on line boundaries into parts of at most `limit` characters (a longer line is cut). */
function split(text: string, limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    for (let rest = line; ; ) {
      const piece = rest.slice(0, limit);
      if (current.length + piece.length + 1 > limit && current.length > 0) {
        parts.push(current);
        current = '';
      }
      current += (current.length > 0 ? '\n' : '') + piece;
      rest = rest.slice(limit);
      if (rest.length === 0) break;
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
