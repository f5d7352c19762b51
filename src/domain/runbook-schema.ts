import { ACTION_NAMES, allActions, type JsonSchema } from './action-registry';
import { servesSchema, TEXT_MATCHER_SCHEMA } from './runbook-routing';
import { DURATION_PATTERN, NAME_PATTERN, PRINCIPAL_PATTERN } from './runbook-patterns';
import { REFERENCE_PATTERN } from './runbook-references';

/** Where editors find the schema; `runbooks/runbook.schema.json` is a generated copy of it. */
export const RUNBOOK_SCHEMA_ID = 'https://breachline.dev/schemas/runbook.schema.json';

/** A relative folder inside the runbook directory: no `..`, no absolute path. */
export const POLICY_FOLDER_PATTERN = '^(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$';

const duration = (description: string): JsonSchema => ({ type: 'string', pattern: DURATION_PATTERN, description });

/**
 * The runbook JSON Schema (draft 2020-12), built from the action registry so that the schema the
 * loader validates with and the one editors complete from cannot drift apart. Each action's
 * parameters are attached with `if action = X then with: <X's params>`, which keeps the errors
 * about one step's params instead of a `oneOf` over all of them.
 */
export function runbookSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: RUNBOOK_SCHEMA_ID,
    title: 'breachline runbook',
    description: 'A versioned incident-response playbook. Generated from the action registry (src/domain/action-registry.ts); do not edit by hand.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'version', 'title', 'scenario', 'severity', 'steps'],
    // Clocks are computed in the entity's calendar: a runbook naming regimes must say whose.
    dependentRequired: { regimes: ['entity'] },
    properties: {
      id: { type: 'string', pattern: NAME_PATTERN },
      version: { type: 'integer', minimum: 1, description: 'Raise on every change; incidents record id, version and content hash.' },
      title: { type: 'string', minLength: 1 },
      scenario: { type: 'string', minLength: 1 },
      severity: { enum: ['critical', 'high', 'medium', 'low'] },
      description: { type: 'string' },
      entity: { $ref: '#/$defs/entity' },
      regimes: {
        type: 'object',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: { $ref: '#/$defs/regime' },
        default: {},
      },
      breakers: {
        type: 'object',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: { $ref: '#/$defs/breaker' },
        default: {},
      },
      steps: { type: 'array', minItems: 1, items: { $ref: '#/$defs/step' } },
      // Routing as data and policy packs (issue 17).
      serves: servesSchema(),
      policies: {
        type: 'string',
        pattern: POLICY_FOLDER_PATTERN,
        description: 'Folder of this runbook\'s Cedar policies (and optionally schema.cedarschema), relative to the runbook directory. Absent: the default pack `policies`.',
      },
    },
    $defs: {
      textMatcher: TEXT_MATCHER_SCHEMA,
      regime: {
        type: 'object',
        additionalProperties: false,
        required: ['authority'],
        description: 'A built-in regime named by its id (gdpr, uk-gdpr, dora, nis2, sec-8k, nydfs, hipaa), or any name with its own stages.',
        properties: {
          article: { type: 'string' },
          authority: { type: 'string', minLength: 1 },
          stages: {
            type: 'array',
            minItems: 1,
            description: 'Stages of a regime of your own: name, anchor, period, optional bound, rule, phased.',
            items: { type: 'object' },
          },
          entity: {
            $ref: '#/$defs/entity',
            description: 'The calendar this regime is computed in when it is not the entity\'s own (e.g. SEC 8-K business days are US federal ones).',
          },
          notifyDataSubjectsWhen: {
            type: 'object',
            additionalProperties: false,
            required: ['minDataSubjects', 'piiCategories'],
            properties: {
              minDataSubjects: { type: 'integer', minimum: 1 },
              piiCategories: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: NAME_PATTERN } },
            },
          },
        },
      },
      entity: {
        type: 'object',
        additionalProperties: false,
        required: ['country', 'timeZone', 'weekendRelief'],
        properties: {
          country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code: whose public holidays count.' },
          timeZone: { type: 'string', minLength: 1, description: 'IANA zone, e.g. Europe/Berlin: calendar days and months are counted in it.' },
          weekendRelief: { type: 'boolean', description: 'DORA: a due on a weekend or holiday moves to the next working day 12:00 local.' },
        },
      },
      breaker: {
        type: 'object',
        additionalProperties: false,
        required: ['topic', 'principals'],
        properties: {
          topic: { type: 'string', minLength: 1 },
          principals: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: PRINCIPAL_PATTERN } },
          description: { type: 'string' },
        },
      },
      step: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'action'],
        properties: {
          id: { type: 'string', pattern: NAME_PATTERN },
          action: { enum: [...ACTION_NAMES] },
          title: { type: 'string', minLength: 1 },
          approval: { enum: ['none', 'incident-commander', 'dpo', 'responder'], default: 'none' },
          with: { type: 'object' },
          timeout: duration('Longest one attempt may take.'),
          compensate: { type: 'boolean', default: false, description: 'Undo this step if a later one fails (only for undoable actions).' },
        },
        allOf: ACTION_NAMES.map((name) => ({
          if: { properties: { action: { const: name } }, required: ['action'] },
          then: { properties: { with: { $ref: `#/$defs/params/${name}` } } },
        })),
      },
      params: Object.fromEntries(allActions().map((def) => [def.name, { description: def.summary, ...referable(def.params as JsonSchema) }])),
      // Step outputs and references (issue 17, item 4).
      reference: {
        type: 'string',
        pattern: REFERENCE_PATTERN,
        description: 'A reference, checked at load: ${{ steps.<id>.outputs.<name> }} (an earlier step\'s output) or ${{ alert.<field> }}.',
      },
    },
  };
}

// Step outputs and references (issue 17, item 4).
const REFERENCE: JsonSchema = { $ref: '#/$defs/reference' };

/** `schema`, or a reference in its place (its description kept on top for editors). */
function orReference(schema: JsonSchema): JsonSchema {
  return { ...(schema.description !== undefined ? { description: schema.description } : {}), anyOf: [schema, REFERENCE] };
}

/**
 * An action's params schema where every parameter value, list item and map value may also be a
 * reference. Whether the reference names an earlier step's declared output of a fitting type is
 * checked by the loader (`runbook-references.ts`), which can name the step and the output.
 */
function referable(params: JsonSchema): JsonSchema {
  const props = params.properties as Record<string, JsonSchema> | undefined;
  if (props === undefined) return params;
  const wrap = (p: JsonSchema): JsonSchema => {
    let inner = p;
    if (typeof p.items === 'object' && p.items !== null) inner = { ...inner, items: orReference(p.items as JsonSchema) };
    if (typeof p.additionalProperties === 'object' && p.additionalProperties !== null) inner = { ...inner, additionalProperties: orReference(p.additionalProperties as JsonSchema) };
    return orReference(inner);
  };
  return { ...params, properties: Object.fromEntries(Object.entries(props).map(([name, p]) => [name, wrap(p)])) };
}
