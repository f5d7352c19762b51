import { z } from 'zod';
import type { Alert } from '../../domain/alert';
import { invalidPayload } from '../errors';
import { requireSubject, toIsoTime, toPrincipal, validate, type ParsedAlert } from './fields';

const entitySchema = z.looseObject({
  kind: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A Microsoft Sentinel incident resource (`Microsoft.SecurityInsights/incidents`) as a playbook's
 * HTTP action posts it: the Logic App incident trigger's `object`, or the whole trigger body
 * (which wraps it in `object`). Only the fields breachline reads are required.
 */
export const sentinelIncidentSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  properties: z.looseObject({
    incidentNumber: z.number().int().nonnegative(),
    title: z.string().min(1),
    description: z.string().optional(),
    severity: z.enum(['High', 'Medium', 'Low', 'Informational']),
    status: z.enum(['New', 'Active', 'Closed']),
    createdTimeUtc: z.string().min(1),
    firstActivityTimeUtc: z.string().optional(),
    lastActivityTimeUtc: z.string().optional(),
    incidentUrl: z.string().optional(),
    labels: z.array(z.looseObject({ labelName: z.string(), labelType: z.string().optional() })).optional(),
    relatedAnalyticRuleIds: z.array(z.string()).optional(),
    relatedEntities: z.array(entitySchema).optional(),
    additionalData: z.record(z.string(), z.unknown()).optional(),
  }),
});

const SEVERITY: Readonly<Record<string, Alert['severity']>> = { High: 'high', Medium: 'medium', Low: 'low', Informational: 'low' };

/** Labels of the form `breachline.principal=User:x` (also `asset`, `scenario`) override entities. */
const LABEL_PREFIX = 'breachline.';

function labelValue(labels: readonly { labelName: string }[] | undefined, key: string): string | undefined {
  const prefix = `${LABEL_PREFIX}${key}=`;
  const found = labels?.find((l) => l.labelName.startsWith(prefix))?.labelName.slice(prefix.length).trim();
  return found ? found : undefined;
}

function entityValue(entities: readonly z.infer<typeof entitySchema>[] | undefined, kind: string, fields: readonly string[]): string | undefined {
  for (const entity of entities ?? []) {
    if (entity.kind?.toLowerCase() !== kind.toLowerCase()) continue;
    for (const field of fields) {
      const value = entity.properties?.[field];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
  }
  return undefined;
}

/**
 * Parses a Sentinel incident. The detection rule is the first related analytic rule's id (its last
 * path segment), because incident titles can be templated per alert and would split duplicates;
 * without one the title stands in.
 */
export function parseSentinel(payload: unknown, _receivedAt: string): ParsedAlert {
  const unwrapped = isTriggerBody(payload) ? payload.object : payload;
  const incident = validate(sentinelIncidentSchema, unwrapped, 'sentinel');
  const p = incident.properties;
  const ruleId = p.relatedAnalyticRuleIds?.[0]?.split('/').filter(Boolean).pop();
  const observed = toIsoTime(p.firstActivityTimeUtc) ?? toIsoTime(p.createdTimeUtc);
  if (observed === undefined) {
    throw invalidPayload('sentinel', [{ path: 'properties.createdTimeUtc', message: 'expected an ISO 8601 time with a zone' }]);
  }
  const parsed: ParsedAlert = {
    alertId: String(p.incidentNumber),
    rule: ruleId ?? p.title,
    title: p.title,
    severity: SEVERITY[p.severity] ?? 'high',
    principal: toPrincipal(labelValue(p.labels, 'principal') ?? entityValue(p.relatedEntities, 'Account', ['accountName', 'friendlyName'])),
    asset: labelValue(p.labels, 'asset') ?? entityValue(p.relatedEntities, 'Host', ['hostName', 'friendlyName']),
    scenario: labelValue(p.labels, 'scenario'),
    observedAt: observed,
  };
  return requireSubject(parsed, 'sentinel', ['properties.relatedEntities', 'properties.labels']);
}

function isTriggerBody(payload: unknown): payload is { object: unknown } {
  return payload !== null && typeof payload === 'object' && 'object' in payload && !('properties' in payload);
}
