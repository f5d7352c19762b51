import type { z } from 'zod';
import type { Alert } from '../../domain/alert';
import { invalidPayload, type FieldProblem } from '../errors';

/** What a source parser extracts; the normaliser adds source, receipt time and fingerprint. */
export type ParsedAlert = Omit<Alert, 'source' | 'receivedAt' | 'fingerprint'>;

/** Turns zod issues into `{path, message}` with dotted paths (`properties.incidentNumber`). */
export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** Validates `payload` against `schema`, throwing a 422 that lists every problem. */
export function validate<S extends z.ZodType>(schema: S, payload: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw invalidPayload(source, zodProblems(result.error));
  return result.data;
}

/**
 * Reads a dotted field from a document whose keys may be nested (`user: {name}`) or flattened
 * (`"kibana.alert.severity"`), as Elastic alert documents mix both.
 */
export function readField(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const record = doc as Record<string, unknown>;
  if (path in record) return record[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in record) {
      const found = readField(record[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The first of `paths` that holds a non-empty string (numbers are stringified). */
export function firstString(doc: unknown, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = readField(doc, path);
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (Array.isArray(value) && typeof value[0] === 'string' && value[0].trim() !== '') return value[0].trim();
  }
  return undefined;
}

/**
 * Kafka principals carry a type prefix (`User:report-exporter`); SIEMs usually log the bare user
 * name. A name without a prefix is taken to be a `User`.
 */
export function toPrincipal(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  return /^[A-Za-z]+:./.test(trimmed) ? trimmed : `User:${trimmed}`;
}

const SEVERITY_WORDS: Readonly<Record<string, Alert['severity']>> = {
  critical: 'critical',
  fatal: 'critical',
  high: 'high',
  severe: 'high',
  error: 'high',
  medium: 'medium',
  moderate: 'medium',
  warning: 'medium',
  warn: 'medium',
  low: 'low',
  informational: 'low',
  info: 'low',
};

/**
 * Maps a SIEM's severity word or number onto breachline's four levels; `undefined` when the value
 * means nothing known. Numbers up to 6 follow Splunk's alert severity (1 debug … 6 fatal), larger
 * ones Elastic's risk score bands (0–21 low, 22–47 medium, 48–73 high, 74–100 critical).
 */
export function toSeverity(value: unknown): Alert['severity'] | undefined {
  if (typeof value === 'string') {
    const word = SEVERITY_WORDS[value.trim().toLowerCase()];
    if (word) return word;
    if (/^\d+(\.\d+)?$/.test(value.trim())) return toSeverity(Number(value));
    return undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (value <= 6) return value >= 6 ? 'critical' : value >= 5 ? 'high' : value >= 4 ? 'medium' : 'low';
    return value >= 74 ? 'critical' : value >= 48 ? 'high' : value >= 22 ? 'medium' : 'low';
  }
  return undefined;
}

/**
 * Reads a SIEM time: ISO 8601 with a zone, or epoch seconds (Splunk's `_time`, possibly
 * fractional). Returns ISO UTC, or `undefined` when the value is no recognisable instant.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const s = value.trim();
  if (/^\d{9,11}(\.\d+)?$/.test(s)) return new Date(Number(s) * 1000).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * An alert must name who or what it is about: the fingerprint and the containment step depend on
 * it. `where` lists the payload fields the source reads them from, for the error message.
 */
export function requireSubject(parsed: ParsedAlert, source: string, where: readonly string[]): ParsedAlert {
  if (parsed.principal === undefined && parsed.asset === undefined) {
    throw invalidPayload(source, where.map((path) => ({ path, message: 'the alert names neither a principal nor an asset; set one of these fields' })));
  }
  return parsed;
}
