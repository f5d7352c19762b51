import { builtinAction, ACTION_NAMES as REGISTERED, isActionName as registered, type BuiltinActionDefinition, type JsonSchema, type ParamsSchema } from './action-registry';
import type { BuiltinActionName } from './events';

/**
 * The 0.2 names of the action registry, kept so that code written against them still reads the
 * same data. Every action is defined once in `action-registry.ts` (built-ins in
 * `builtin-actions.ts`, generic ones in `generic-actions.ts`); this module only re-exports it.
 */

export type { JsonSchema, ParamsSchema };
export { DURATION_PATTERN, NAME_PATTERN, PRINCIPAL_PATTERN } from './runbook-patterns';

/** What the registry knows about one built-in action (0.2 shape). */
export interface ActionSpec<A extends BuiltinActionName = BuiltinActionName> {
  summary: string;
  /** Whether the saga can undo it (so `compensate: true` is allowed on its steps). */
  compensable: boolean;
  /** How long one attempt may take unless the step says otherwise. */
  defaultTimeout: string;
  params: ParamsSchema<A>;
}

const spec = <A extends BuiltinActionName>(name: A): ActionSpec<A> => {
  const def: BuiltinActionDefinition<A> = builtinAction(name);
  return { summary: def.summary, compensable: def.compensation !== undefined, defaultTimeout: def.defaultTimeout, params: def.params };
};

/** The built-in actions in the 0.2 shape, read from the registry. */
export const ACTIONS: { readonly [A in BuiltinActionName]: ActionSpec<A> } = {
  contain: spec('contain'),
  'rotate-credentials': spec('rotate-credentials'),
  'break-circuits': spec('break-circuits'),
  forensics: spec('forensics'),
  'preserve-evidence': spec('preserve-evidence'),
  notify: spec('notify'),
  report: spec('report'),
  close: spec('close'),
};

/** Every action a runbook step may name: built-ins in playbook order, then generic ones. */
export const ACTION_NAMES: readonly string[] = REGISTERED;

/** Whether a string names a registered action (built-in or generic). */
export function isActionName(name: string): boolean {
  return registered(name);
}
