import type { AlertSource } from '../../domain/alert';
import { parseElastic } from './elastic';
import type { ParsedAlert } from './fields';
import { parseGeneric } from './generic';
import { parseSentinel } from './sentinel';
import { parseSplunk } from './splunk';

export type { ParsedAlert } from './fields';
export { elasticPayloadSchema } from './elastic';
export { genericAlertSchema, type GenericAlert } from './generic';
export { sentinelIncidentSchema } from './sentinel';
export { splunkPayloadSchema } from './splunk';

/** Turns one source's JSON payload into alert fields; throws a 422 `IngressError` on bad shape. */
export type SourceParser = (payload: unknown, receivedAt: string) => ParsedAlert;

/** The parser of every source in `ALERT_SOURCES`. */
export const PARSERS: Readonly<Record<AlertSource, SourceParser>> = {
  splunk: parseSplunk,
  elastic: parseElastic,
  sentinel: parseSentinel,
  generic: parseGeneric,
};
