/**
 * The breaker, close and refusal signals now live with the other incident signals in
 * `workflows/api.ts`, handled by the incident workflow; this module keeps the old import path
 * working for the Slack commands.
 */
export { breakerSignal, closeSignal, refusalSignal, type BreakerSignal, type CloseSignal, type RefusalSignal } from '../../../workflows/api';
