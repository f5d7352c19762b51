import { z } from 'zod';

/** zod description of a runbook-defined stage (same shape as StageDefinition). */
const anchor = z.union([z.enum(['awareness', 'classification', 'determination', 'discovery']), z.string().regex(/^filed:[a-z0-9][a-z0-9-]*$/)]);
const period = z.object({ amount: z.number().int().positive(), unit: z.enum(['hours', 'calendar-days', 'business-days', 'calendar-months']) }).strict();

/** Validates one StageDefinition. */
export const stageDefinitionSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  anchor,
  period,
  bound: z.object({ anchor, period }).strict().optional(),
  rule: z.string().min(1),
  phased: z.boolean().optional(),
  weekendRelief: z.boolean().optional(),
}).strict();
