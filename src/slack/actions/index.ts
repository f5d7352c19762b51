import type { App } from '@slack/bolt';
import type { OperationsDeps } from '../commands/context';
import { register as registerApprovalButtons } from './approval-buttons';
import { register as registerDenyModal } from './deny-modal';
import { register as registerDecideButtons } from './decide-buttons';

/** Registers every interactive element's handler. */
export function register(app: App, deps: OperationsDeps): void {
  registerApprovalButtons(app, deps);
  registerDenyModal(app, deps);
  // wait-for answers (issue 17).
  registerDecideButtons(app, deps);
}
