import type { ActionName } from './events';
import type { ActionParams } from './runbook';

/**
 * The registered runbook actions and the parameters each accepts. This table is the single source
 * of truth: the JSON Schema (`runbook-schema.ts`, copied to `runbooks/runbook.schema.json`) is
 * built from it, and `planSteps` takes defaults from it. Pure data: workflows may import it.
 */

/** A JSON Schema object (draft 2020-12) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * The parameters schema of one action: always a closed object. Its property names are tied to
 * the TypeScript type of the action's parameters, so the schema and `ActionParams` cannot drift:
 * a parameter missing from either side is a compile error.
 */
export interface ParamsSchema<A extends ActionName = ActionName> {
  type: 'object';
  additionalProperties: false;
  required?: Array<keyof ActionParams[A] & string>;
  properties: { [K in keyof ActionParams[A]]-?: JsonSchema };
}

/** What the registry knows about one action. */
export interface ActionSpec<A extends ActionName = ActionName> {
  summary: string;
  /** Whether the saga can undo it (so `compensate: true` is allowed on its steps). */
  compensable: boolean;
  /** How long one attempt may take unless the step says otherwise. */
  defaultTimeout: string;
  params: ParamsSchema<A>;
}

/** Durations as runbooks write them: `36h`, `90m`, `2h30m`, or ISO 8601 without years/months. */
export const DURATION_PATTERN = '^(?:(?:\\d+(?:ms|s|m|h|d|w))+|P(?:\\d+W)?(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?(?:\\d+(?:\\.\\d{1,3})?S)?)?)$';

/** Kafka principals as the authorizer names them. */
export const PRINCIPAL_PATTERN = '^User:[^\\s]+$';

/** Names of runbook things (step ids, breakers, regimes). */
export const NAME_PATTERN = '^[a-z][a-z0-9-]*$';

const names = (description: string): JsonSchema => ({
  type: 'array',
  description,
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', minLength: 1 },
});

/** Every action a runbook step may name. The workflow dispatches only to these. */
export const ACTIONS: { readonly [A in ActionName]: ActionSpec<A> } = {
  contain: {
    summary: 'Remove the principal’s ALLOW ACLs and add DENY bindings; record what was removed',
    compensable: true,
    defaultTimeout: '2m',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        scope: { enum: ['resources', 'cluster'], default: 'resources', description: 'Deny on the principal’s resources only, or on the whole cluster.' },
        principal: { type: 'string', pattern: PRINCIPAL_PATTERN, description: 'Principal to contain. Default: the one the alert names.' },
        denyOperations: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['ALL', 'READ', 'WRITE', 'DESCRIBE', 'CREATE', 'DELETE', 'ALTER'] }, default: ['ALL'] },
        verify: { type: 'boolean', default: true, description: 'Prove a produce and a consume are refused.' },
      },
    },
  },
  'rotate-credentials': {
    summary: 'New SCRAM credentials for every account in the blast radius; revoke Vault tokens; delete the compromised account',
    compensable: false,
    defaultTimeout: '10m',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['blastRadius', 'vaultPathTemplate'],
      properties: {
        blastRadius: names('Service accounts that shared hosts or credentials with the compromised one.'),
        vaultPathTemplate: { type: 'string', pattern: '\\{account\\}', description: 'KV v2 path of each account’s secret; `{account}` is replaced.' },
        mechanism: { enum: ['SCRAM-SHA-256', 'SCRAM-SHA-512'], default: 'SCRAM-SHA-512' },
        iterations: { type: 'integer', minimum: 4096, maximum: 16384, default: 8192 },
        revokeVaultTokens: { type: 'boolean', default: true },
        deleteCompromisedAccount: { type: 'boolean', default: true },
        verify: { type: 'boolean', default: true, description: 'Prove the old password fails and the new one works.' },
      },
    },
  },
  'break-circuits': {
    summary: 'Open named breakers: deny downstream principals READ on the breached topics',
    compensable: true,
    defaultTimeout: '2m',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['breakers'],
      properties: {
        breakers: names('Names from the runbook’s `breakers`.'),
        controlTopic: { type: 'string', minLength: 1, default: 'breachline.control' },
      },
    },
  },
  forensics: {
    summary: 'Legal hold first, then the window the attacker read per partition and the data subjects in it',
    compensable: false,
    defaultTimeout: '30m',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['topics', 'piiFields', 'dataSubjectKey'],
      properties: {
        topics: names('Topics the attacker could read.'),
        legalHoldRetentionMs: { type: 'integer', minimum: -1, default: -1, not: { const: 0 }, description: '-1 keeps everything.' },
        piiFields: {
          type: 'object',
          additionalProperties: false,
          required: ['source'],
          properties: {
            source: { enum: ['inline', 'topic-config'], description: '`inline`: listed here; `topic-config`: the topic’s `pii.fields` tag.' },
            fields: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['path', 'category'],
                properties: { path: { type: 'string', minLength: 1 }, category: { type: 'string', pattern: NAME_PATTERN } },
              },
            },
          },
          if: { properties: { source: { const: 'inline' } } },
          then: { required: ['fields'] },
        },
        dataSubjectKey: { type: 'string', minLength: 1, description: 'Field that identifies a data subject, e.g. client.accountId.' },
        exactCountThreshold: { type: 'integer', minimum: 1, default: 100000 },
        hllPrecision: { type: 'integer', minimum: 4, maximum: 18, default: 14 },
        useAccessRecords: { type: 'boolean', default: true },
      },
    },
  },
  'preserve-evidence': {
    summary: 'Replay the forensic window to the evidence topic, PII tokenised, resumable',
    compensable: false,
    defaultTimeout: '24h',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['evidenceTopic'],
      properties: {
        evidenceTopic: { type: 'string', minLength: 1 },
        chunkSize: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000 },
        parallelism: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
        tokenisePii: { const: true, default: true, description: 'Always true: evidence never holds PII in clear.' },
        transitKey: { type: 'string', minLength: 1, default: 'breachline-evidence' },
      },
    },
  },
  notify: {
    summary: 'Tell the people who must act (incident channel, DPO, commander)',
    compensable: false,
    defaultTimeout: '1m',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        channel: { type: 'string', minLength: 1, default: '#incidents' },
        audience: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['incident-commander', 'dpo', 'responder', 'legal', 'executives'] }, default: ['incident-commander', 'dpo'] },
        template: { type: 'string', pattern: NAME_PATTERN, default: 'breach-summary' },
      },
    },
  },
  report: {
    summary: 'Write the post-incident report from the audit trail',
    compensable: false,
    defaultTimeout: '5m',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        format: { enum: ['markdown'], default: 'markdown' },
        includeTimeline: { type: 'boolean', default: true },
        channel: { type: 'string', minLength: 1 },
      },
    },
  },
  close: {
    summary: 'Close the incident once its obligations are met',
    compensable: false,
    defaultTimeout: '1m',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requireFilings: { type: 'boolean', default: true, description: 'Every regime settled: each stage with a known due filed, or the regime recorded as not notifiable.' },
        requireBreakersClosed: { type: 'boolean', default: false },
        // War room (issue 16).
        requireTasksDone: { type: 'boolean', default: false, description: 'Closing waits until every task added with /ir task is done; a close asked for meanwhile is refused with the open task numbers.' },
      },
    },
  },
};

/** Registered action names, in playbook order. */
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

/** Whether a string names a registered action. */
export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(ACTIONS, name);
}
