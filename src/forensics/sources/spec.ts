/**
 * Source specs as configuration writes them (`BREACHLINE_FORENSICS_SOURCES`, comma-separated):
 * - `request-log:file:<path glob>` or `request-log:topic:<topic>` — the broker request log (its
 *   FETCH lines for reads, its PRODUCE lines for `access: write`, see activities/forensics-write.ts);
 * - `consumer-offsets` or `consumer-offsets:<topic>` — the group commit history;
 * - `confluent-audit` or `confluent-audit:<topic>` — Confluent audit-log events;
 * - `sandbox-access-log` or `sandbox-access-log:<topic>` — the sandbox broker's access log (reads
 *   and writes).
 * Commits and audit events say nothing about writes; the write side skips them.
 * Kept free of client imports so configuration can validate specs.
 */

/** A parsed source spec. */
export type SourceSpec =
  | { kind: 'request-log'; location: { kind: 'file'; pattern: string } | { kind: 'topic'; topic: string } }
  | { kind: 'consumer-offsets'; topic?: string }
  | { kind: 'confluent-audit'; topic?: string }
  | { kind: 'sandbox-access-log'; topic?: string };

/** The sources used when none are configured: the sandbox's access log, as before. */
export const DEFAULT_SOURCES: readonly SourceSpec[] = [{ kind: 'sandbox-access-log' }];

/** Parses one spec; throws an Error naming what is wrong. */
export function parseSourceSpec(text: string): SourceSpec {
  const spec = text.trim();
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (kind) {
    case 'request-log': {
      const sep = rest.indexOf(':');
      const where = sep < 0 ? rest : rest.slice(0, sep);
      const arg = sep < 0 ? '' : rest.slice(sep + 1);
      if (arg === '' || (where !== 'file' && where !== 'topic')) throw new Error(`"${spec}": request-log needs file:<path glob> or topic:<topic>`);
      return { kind, location: where === 'file' ? { kind: 'file', pattern: arg } : { kind: 'topic', topic: arg } };
    }
    case 'consumer-offsets':
    case 'confluent-audit':
    case 'sandbox-access-log':
      return rest === '' ? { kind } : { kind, topic: rest };
    default:
      throw new Error(`"${spec}": unknown access-record source (request-log, consumer-offsets, confluent-audit, sandbox-access-log)`);
  }
}

/** Parses a comma-separated list of specs (the `BREACHLINE_FORENSICS_SOURCES` form). */
export function parseSourceSpecs(list: string): SourceSpec[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map(parseSourceSpec);
}

