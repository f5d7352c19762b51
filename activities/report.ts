import { createHash } from 'node:crypto';
import type { DomainEvent } from '../src/domain/events';
import { renderReport } from '../src/domain/report';
import type { Logger } from '../src/log/logger';
import type { ConversationPort } from '../src/slack/conversation-port';

/** Dependencies of {@link createReportActivities}. */
export interface ReportActivityDeps {
  conversation?: ConversationPort;
  channel: string;
  logger: Logger;
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
 * Renders the post-incident report from the incident's events (pure, `src/domain/report.ts`) and
 * posts it to the incident channel. Posting is best effort: the report's digest is returned either
 * way, and the report can always be rebuilt from the audit topic.
 */
export function createReportActivities(deps: ReportActivityDeps): {
  postReport(input: { incidentId: string; events: DomainEvent[]; channel?: string }): Promise<PostedReport>;
} {
  return {
    async postReport(input) {
      const logger = deps.logger.child({ incidentId: input.incidentId, activity: 'report' });
      const markdown = renderReport(input.events);
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
