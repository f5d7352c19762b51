import { defineSignal } from '@temporalio/workflow';

/**
 * Signals the Slack commands send that `workflows/api.ts` does not define yet. They are defined
 * here, once, under the names documented in docs/slack-operations.md, so that the incident
 * workflow can adopt them by importing (or moving) these definitions without any client change.
 * Until it does, Temporal keeps such signals in history unhandled: they are harmless, but they
 * change nothing, and the commands say so when the state does not move.
 */

/** Opens or closes a named circuit breaker of an incident (runbook `break-circuits`). */
export interface BreakerSignal {
  breaker: string;
  state: 'open' | 'closed';
  /** Slack user id of the person who asked. */
  requestedBy: string;
  role: string;
}
/** `/ir breaker open|close <flow>`. */
export const breakerSignal = defineSignal<[BreakerSignal]>('breaker');

/** Closes an incident by hand (resolution recorded on `IncidentClosed`). */
export interface CloseSignal {
  closedBy: string;
  role: string;
  resolution: string;
}
/** `/ir close <id> [resolution]`. */
export const closeSignal = defineSignal<[CloseSignal]>('close');

/** A command the policies refused, so the incident can record it as a domain event. */
export interface RefusalSignal {
  userId: string;
  role: string;
  action: string;
  request: string;
  at: string;
}
/** Sent by the refusal recorder for refusals that name an incident. */
export const refusalSignal = defineSignal<[RefusalSignal]>('refusal');
