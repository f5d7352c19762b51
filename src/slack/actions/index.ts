import type { App } from '@slack/bolt';
import type { OperationsDeps } from '../commands/context';
import { register as registerApprovalButtons } from './approval-buttons';

/** Registers every interactive element's handler. */
export function register(app: App, deps: OperationsDeps): void {
  registerApprovalButtons(app, deps);
}
