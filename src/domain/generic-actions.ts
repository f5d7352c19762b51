import type { GenericActionDefinition } from './action-registry';
import { ISSUE_17_ACTIONS } from '../actions/index';
import { annotateAction } from './annotate-action';

/**
 * Every registered generic action, in the order the docs list them. A generic action is defined
 * here once (schema, phase, timeout, plan, activity, compensation) and needs no workflow code;
 * its activities are registered by the worker under the names it gives. Names must be unique and
 * must not be a built-in's (a unit test checks both).
 */
export const GENERIC_ACTIONS: readonly GenericActionDefinition[] = [
  annotateAction,
  // Paging, tickets, webhooks, Kafka group and Vault actions (issue 17, item 3).
  ...ISSUE_17_ACTIONS,
];
