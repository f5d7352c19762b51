import type { App } from '@slack/bolt';
import { register as registerActions } from './actions/index';
import { registerSubcommand, type OperationsDeps } from './commands/context';
import { OPERATION_SUBCOMMANDS } from './commands/operations-list';

export type { OperationsDeps } from './commands/context';
export type { DrillInfo, DrillPort } from './commands/drill-port';
export type { IncidentPort, IncidentSummary } from './commands/incident-port';
export { createTemporalIncidentPort } from './commands/temporal-incidents';
export { breakerSignal, closeSignal, refusalSignal } from './commands/proposed-signals';
export { MemoryCardStore, postOrUpdateIncidentCard, type CardConversation, type CardStore } from './cards/card-conversation';
export { APPROVE_ACTION_ID, DENY_ACTION_ID, renderIncidentCard } from './cards/incident-card';
export { createPolicyEngine, loadPolicyEngine, PolicyLoadError, type PolicyEngine } from './policy/cedar-policy';
export { createRefusalRecorder, type Refusal, type RefusalRecorder } from './policy/refusals';

/**
 * Registers the incident operations on a Slack app built by `createSlackApp` (which already
 * registered `/ir help` and the unknown-subcommand fallback): every `/ir` subcommand and the
 * incident card's buttons. Call it before `start()`. The command name must be the one the app
 * was built with (config `slack.command`).
 */
export function registerOperations(app: App, deps: OperationsDeps): void {
  for (const spec of OPERATION_SUBCOMMANDS) registerSubcommand(app, deps, spec);
  registerActions(app, deps);
}
