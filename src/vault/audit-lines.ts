import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { readTopicSince } from '../kafka/topic-since';
import { createKafka, type KafkaConnection } from '../kafka/client';
import type { Logger } from '../log/logger';
import { traceableLine, type AuditLine } from './audit-trace';

/*
 * Where a Vault audit device's lines come from, as one async iterable of lines (raw JSON, or what
 * the trace needs of it) in the order Vault wrote them, so the token trace (./audit-trace) runs the same on either source:
 * - the JSON-lines file a file audit device writes (mounted or shipped to the worker);
 * - a Kafka topic a log shipper fills with the same lines, one per record value.
 */

/** The log could not be read at all (missing file, missing topic): the caller refuses the action. */
export class AuditLogUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditLogUnavailable';
  }
}

/** The lines of a file audit device's log; rejects with {@link AuditLogUnavailable} when it cannot be opened. */
export async function* auditFileLines(file: string): AsyncIterable<string> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    // The code only: the path is configuration, not something history needs.
    throw new AuditLogUnavailable(`cannot read the Vault audit log file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  yield* createInterface({ input: stream, crlfDelay: Infinity });
}

/** Options of {@link auditTopicLines}. */
export interface AuditTopicOptions {
  kafka: KafkaConnection;
  topic: string;
  /** Epoch ms: records the shipper produced before this are not read. Absent: the whole topic. */
  since?: number;
  logger?: Logger;
}

/**
 * The lines a log shipper produced to `topic`, from `since` (the timestamp index) to the topic's
 * current end. A shipper that spreads the lines over several partitions loses Vault's order
 * between them; the partitions are merged by record timestamp (each partition's own order kept),
 * which restores it as far as the shipper's clock does — the trace needs a child's creation before
 * its first request, and those are a network round trip apart at the least.
 */
export async function* auditTopicLines(options: AuditTopicOptions): AsyncIterable<AuditLine | string> {
  const admin = createKafka(options.kafka, { clientId: 'breachline-vault-trace', ...(options.logger !== undefined ? { logger: options.logger } : {}) }).admin();
  const partitions = new Map<number, ShippedLine[]>();
  await admin.connect();
  try {
    const read = await readTopicSince(options.kafka, admin, {
      topic: options.topic,
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      onRecords: (partition, records) => {
        let list = partitions.get(partition);
        if (list === undefined) partitions.set(partition, (list = []));
        // Held until every partition is read: only what the trace needs of each line.
        for (const r of records) {
          const line = r.value === null ? undefined : traceableLine(r.value.toString('utf8'));
          if (line !== undefined) list.push({ timestamp: r.timestamp, line });
        }
      },
    });
    if (read < 0) throw new AuditLogUnavailable(`the Vault audit topic ${options.topic} does not exist on the cluster`);
  } finally {
    await admin.disconnect();
  }
  yield* mergeByTimestamp([...partitions.entries()].sort(([a], [b]) => a - b).map(([, list]) => list));
}

interface ShippedLine {
  timestamp: number;
  line: AuditLine | string;
}

/** Merges per-partition lists (each kept in its own order) by timestamp; ties go to the lower partition. */
function* mergeByTimestamp(lists: readonly ShippedLine[][]): Iterable<AuditLine | string> {
  const cursors = lists.map((list) => ({ list, at: 0 }));
  for (;;) {
    let best: { list: ShippedLine[]; at: number } | undefined;
    for (const c of cursors) {
      const head = c.list[c.at];
      if (head !== undefined && (best === undefined || head.timestamp < (best.list[best.at] as ShippedLine).timestamp)) best = c;
    }
    if (best === undefined) return;
    yield (best.list[best.at] as ShippedLine).line;
    best.at++;
  }
}
