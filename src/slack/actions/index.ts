import type { App } from '@slack/bolt';
import type { OperationsDeps } from '../commands/context';
import { register as registerApprovalButtons } from './approval-buttons';
import { register as registerDenyModal } from './deny-modal';

/** Registers every interactive element's handler. */
export function register(app: App, deps: OperationsDeps): void {
  registerApprovalButtons(app, deps);
  registerDenyModal(app, deps);
}
