import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { GenericActionInput, GenericActionResult, GenericCompensationInput } from '../src/domain/action-registry';
import { MAX_NOTE_LENGTH, type AnnotateParams } from '../src/domain/annotate-action';
import { NAME_PATTERN } from '../src/domain/runbook-patterns';
import type { Logger } from '../src/log/logger';
import type { ConversationPort } from '../src/slack/conversation-port';

/** Dependencies of {@link createAnnotateActivities}. */
export interface AnnotateActivityDeps {
  /** Absent: the note is only recorded (the workflow's `ActionPerformed`), not posted. */
  conversation?: ConversationPort;
  /** Incident channel, e.g. `#incidents`. */
  channel: string;
  logger: Logger;
}

/**
 * The generic `annotate` action (`src/domain/annotate-action.ts`): the note is recorded by the
 * workflow as `ActionPerformed` from what this returns, and posted to the incident channel, best
 * effort (a chat outage never fails a step whose record is the audit trail). Idempotent: a
 * retry returns the same result; a repeated post is the only visible effect.
 */
export function createAnnotateActivities(deps: AnnotateActivityDeps): {
  annotateIncident(input: GenericActionInput): Promise<GenericActionResult>;
  retractAnnotation(input: GenericCompensationInput): Promise<GenericActionResult>;
} {
  const post = async (incidentId: string, text: string): Promise<boolean> => {
    if (deps.conversation === undefined) return false;
    try {
      await deps.conversation.postIncidentMessage({ channel: deps.channel, text });
      return true;
    } catch (err) {
      deps.logger.warn({ incidentId, err: { name: (err as Error).name, message: (err as Error).message } }, 'annotation not posted');
      return false;
    }
  };
  return {
    async annotateIncident(input) {
      const { note, label } = annotateParams(input.params);
      const posted = await post(input.incidentId, `Note (${label}) on ${input.context.incidentId}: ${note}`);
      const sha256 = createHash('sha256').update(note).digest('hex');
      return {
        summary: `note "${label}" recorded: ${note}`,
        details: { label, note, posted },
        compensation: { label, sha256 },
      };
    },
    async retractAnnotation(input) {
      const label = typeof input.compensation.label === 'string' ? input.compensation.label : 'note';
      const posted = await post(input.incidentId, `Note (${label}) on ${input.incidentId} retracted: the incident was unwound.`);
      return { summary: `note "${label}" retracted`, details: { label, posted } };
    },
  };
}

/** The params as the registry defines them; anything else is a runbook built around the loader. */
function annotateParams(params: Record<string, unknown>): AnnotateParams {
  const { note, label } = params;
  if (typeof note !== 'string' || note.length === 0 || note.length > MAX_NOTE_LENGTH) {
    throw ApplicationFailure.nonRetryable(`annotate: params.note must be text of 1 to ${MAX_NOTE_LENGTH} characters`, 'BadActionParams');
  }
  if (label !== undefined && (typeof label !== 'string' || !new RegExp(NAME_PATTERN).test(label))) {
    throw ApplicationFailure.nonRetryable('annotate: params.label must be a lower-case name', 'BadActionParams');
  }
  return { note, label: label ?? 'note' };
}
