/** Roles a Slack user can hold (config `roles`: Slack user id → role). */
export type OpsRole = 'incident-commander' | 'responder' | 'dpo' | 'observer';

/** Every role, for tables and validation. */
export const OPS_ROLES: readonly OpsRole[] = ['incident-commander', 'responder', 'dpo', 'observer'];

/**
 * Every permission the policies decide. These are the Cedar action ids in
 * `runbooks/policies/schema.cedarschema`; a refusal names the one that was missing.
 */
export type OpsAction =
  | 'help'
  | 'list'
  | 'status'
  | 'timeline'
  | 'plan'
  | 'report'
  | 'approve'
  | 'deny'
  | 'notify'
  | 'breaker'
  | 'close'
  | 'drill-list'
  | 'drill-run'
  | 'retry'
  | 'skip'
  | 'abort'
  // Regulatory clocks (issue 10).
  | 'clocks'
  | 'aware'
  | 'classify'
  | 'material'
  | 'not-notifiable'
  | 'subjects'
  // Operator actions (issue 16).
  | 'severity'
  // War room: notes, tasks and follow-ups (issue 16).
  | 'note'
  | 'task'
  | 'follow-up'
  // The Temporal codec endpoint (issue 15): reading and writing encrypted payloads in Temporal's UI.
  | 'decode-payloads'
  | 'encode-payloads';

/** Every action, in the order help lists their commands. */
export const OPS_ACTIONS: readonly OpsAction[] = [
  'help',
  'list',
  'status',
  'timeline',
  'plan',
  'report',
  'approve',
  'deny',
  'notify',
  'breaker',
  'close',
  'drill-list',
  'drill-run',
  'retry',
  'skip',
  'abort',
  // Regulatory clocks (issue 10).
  'clocks',
  'aware',
  'classify',
  'material',
  'not-notifiable',
  'subjects',
  // Operator actions (issue 16).
  'severity',
  // War room: notes, tasks and follow-ups (issue 16).
  'note',
  'task',
  'follow-up',
  // The Temporal codec endpoint (issue 15).
  'decode-payloads',
  'encode-payloads',
];

/** Actions that concern the workspace rather than one incident. */
export const WORKSPACE_ACTIONS: ReadonlySet<OpsAction> = new Set<OpsAction>(['help', 'list', 'drill-list', 'drill-run', 'decode-payloads', 'encode-payloads']);

/** The role map from config, read once; a user it does not name has no role. */
export type RoleMap = Readonly<Record<string, OpsRole>>;
