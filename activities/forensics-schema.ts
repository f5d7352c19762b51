import type { Admin } from 'kafkajs';
import type { PiiField } from '../src/domain/runbook';
import type { KafkaConnection } from '../src/kafka/client';
import { logBounds } from '../src/kafka/offsets';
import { readSpans } from '../src/kafka/record-sample';
import type { Logger } from '../src/log/logger';

/**
 * The PII tags of a topic as published on the `schemas` topic (docs/scenario.md), and the JSON
 * helpers the data-subject scan shares with it. Moved out of activities/forensics.ts with the
 * write window, to keep that file to the step itself.
 */

/** A record value as JSON; undefined when it is not JSON. */
export function parseJson(value: Buffer | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value.toString('utf8')) as unknown;
  } catch {
    // Not JSON: carries no tagged field we can read.
    return undefined;
  }
}

/** The value at a dotted path (as split) in a parsed document. */
export function valueAt(doc: unknown, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The latest schema published for `topic` on the `schemas` topic (see docs/scenario.md). */
export async function readPublishedSchema(
  connection: KafkaConnection,
  admin: Admin,
  topic: string,
  logger: Logger,
): Promise<{ piiFields: PiiField[]; dataSubjectKey?: string } | undefined> {
  const schemaTopic = 'schemas';
  if (!(await admin.listTopics()).includes(schemaTopic)) return undefined;
  const bounds = await logBounds(admin, schemaTopic);
  let latest: { piiFields: PiiField[]; dataSubjectKey?: string } | undefined;
  await readSpans(connection, {
    topic: schemaTopic,
    spans: bounds.map((b) => ({ partition: b.partition, from: BigInt(b.logStartOffset), to: BigInt(b.highWatermark) })),
    clientId: 'breachline-forensics',
    logger,
    onRecords: (_p, records) => {
      for (const r of records) {
        if (r.key?.toString('utf8') !== topic) continue;
        const doc = parseJson(r.value);
        const fields = valueAt(doc, ['piiFields']);
        if (!Array.isArray(fields)) continue;
        const piiFields = fields.filter((f): f is PiiField => f !== null && typeof f === 'object' && typeof (f as PiiField).path === 'string' && typeof (f as PiiField).category === 'string');
        const key = valueAt(doc, ['dataSubjectKey']);
        latest = { piiFields, ...(typeof key === 'string' ? { dataSubjectKey: key } : {}) };
      }
    },
  });
  return latest;
}
