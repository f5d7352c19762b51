/*
 * The generic-action contract, from the action registry (issue 17, item 2). The definitions under
 * `src/actions/` and their activities import it from here, so they name one module.
 */
export type {
  ActionPlanContext,
  GenericActionDefinition,
  GenericActionInput,
  GenericActionResult,
  GenericCompensationInput,
  JsonSchema,
} from '../domain/action-registry';
