import { z } from 'zod';
import type { RegimeDefinition, StageDefinition } from './types';

/**
 * Validation of runbook-defined regimes (same shape as the built-in data), for the runbook loader.
 * zod schemas, plus their JSON Schema (draft 2020-12) for editors and for ajv.
 */

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** `awareness`, `classification`, `determination`, `discovery` or `filed:<earlier stage>`. */
export const stageAnchorSchema = z.union([
  z.enum(['awareness', 'classification', 'determination', 'discovery']),
  z.templateLiteral(['filed:', z.string().regex(NAME)]),
]);

/** A whole, positive number of hours, calendar days, business days or calendar months. */
export const periodSchema = z
  .object({ amount: z.number().int().positive(), unit: z.enum(['hours', 'calendar-days', 'business-days', 'calendar-months']) })
  .strict();

/** One StageDefinition. */
export const stageDefinitionSchema = z
  .object({
    name: z.string().regex(NAME, 'a stage name is lower-case letters, digits and dashes'),
    anchor: stageAnchorSchema,
    period: periodSchema,
    bound: z.object({ anchor: stageAnchorSchema, period: periodSchema }).strict().optional(),
    rule: z.string().min(1, 'cite the legal reference'),
    phased: z.boolean().optional(),
    weekendRelief: z.boolean().optional(),
  })
  .strict();

/**
 * One RegimeDefinition. Beyond the shape: stage names are unique, and a `filed:<stage>` anchor
 * names an EARLIER stage (so no stage can wait on itself or on a later one).
 */
export const regimeDefinitionSchema = z
  .object({
    id: z.string().regex(NAME),
    title: z.string().min(1),
    legalReference: z.string().min(1),
    stages: z.array(stageDefinitionSchema).min(1),
    requiresMajorClassification: z.boolean().optional(),
  })
  .strict()
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.stages.forEach((stage, i) => {
      if (seen.has(stage.name)) ctx.addIssue({ code: 'custom', path: ['stages', i, 'name'], message: `duplicate stage "${stage.name}"` });
      for (const [key, anchor] of [['anchor', stage.anchor], ['bound', stage.bound?.anchor]] as const) {
        if (anchor?.startsWith('filed:') && !seen.has(anchor.slice('filed:'.length))) {
          const path = key === 'anchor' ? ['stages', i, 'anchor'] : ['stages', i, 'bound', 'anchor'];
          ctx.addIssue({ code: 'custom', path, message: `${anchor} must name an earlier stage of ${def.id}` });
        }
      }
      seen.add(stage.name);
    });
  });

/** JSON Schema of one StageDefinition (e.g. to embed in the runbook's JSON Schema). */
export const stageDefinitionJsonSchema = z.toJSONSchema(stageDefinitionSchema);

// The schemas and the TypeScript types must describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stageShapeAgrees: Same<z.infer<typeof stageDefinitionSchema>, StageDefinition> = true;
const regimeShapeAgrees: Same<z.infer<typeof regimeDefinitionSchema>, RegimeDefinition> = true;
void stageShapeAgrees;
void regimeShapeAgrees;
