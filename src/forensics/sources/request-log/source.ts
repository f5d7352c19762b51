import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Admin } from 'kafkajs';
import type { AccessObservation } from '../../../domain/access-observations';
import type { KafkaConnection } from '../../../kafka/client';
import type { Logger } from '../../../log/logger';
import { readTopicSince } from '../../../kafka/topic-since';
import type { AccessQuery, AccessSource, UnmappedTopic } from '../types';
import { parseRequestLogLine, type LoggedFetch, type ParseOptions } from './parse';
import { fetchRanges } from './ranges';

/**
 * The request-log source: lines of `kafka.request.logger`, read from log files (a glob on the file
 * name follows log4j's rotation: `kafka-request.log*` takes `kafka-request.log`, `….log.1`,
 * `….log.2026-11-21-12`) or from a topic a log shipper writes them to (the record value is the
 * line, or a JSON object whose `message` holds it). Files last written before `since` are not
 * opened; lines before `since` or after `until` are ignored. Ranges per fetch chain: exact, with
 * a bounded tail where the last fetch returned records (see ./ranges).
 */

/** Where the lines are. */
export type RequestLogLocation = { kind: 'file'; pattern: string } | { kind: 'topic'; topic: string };

/** Dependencies of {@link createRequestLogSource}. */
export interface RequestLogSourceDeps {
  kafka: KafkaConnection;
  admin: Admin;
  logger: Logger;
  /** Topic id → name, for Fetch v13+ lines that name topics by id. */
  topicNames?: ReadonlyMap<string, string>;
  /**
   * Topic id → name from the cluster's metadata (Metadata v10+), asked only when a line names a
   * topic by an id `topicNames` lacks; undefined when the cluster's metadata carries no ids.
   */
  resolveTopicIds?: () => Promise<ReadonlyMap<string, string> | undefined>;
  parse?: ParseOptions;
}

/** Files matching a glob whose wildcards (`*`, `?`) are in the file name only. */
export async function matchingFiles(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const name = basename(pattern);
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    // No log directory: this broker keeps no request log here.
    return [];
  }
  return entries.filter((e) => re.test(e)).sort(rotationOrder).map((e) => join(dir, e));
}

/**
 * Oldest first, as log4j rotates: numbered backups from the highest number down (`f.3`, `f.2`,
 * `f.1`), dated ones in date order, and the live file (a prefix of the others' names) last.
 * Lines within a millisecond keep this order, so chains of fetches stay in sequence.
 */
export function rotationOrder(a: string, b: string): number {
  if (b.startsWith(a) && a !== b) return 1;
  if (a.startsWith(b) && a !== b) return -1;
  const na = /\.(\d+)$/.exec(a);
  const nb = /\.(\d+)$/.exec(b);
  if (na !== null && nb !== null) return Number(nb[1]) - Number(na[1]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The line a shipped record carries: the value itself, or its JSON `message` field. */
export function shippedLine(value: Buffer | null): string | undefined {
  if (value === null) return undefined;
  const text = value.toString('utf8');
  if (!text.startsWith('{')) return text;
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc !== null && typeof doc === 'object' && typeof (doc as { message?: unknown }).message === 'string') return (doc as { message: string }).message;
  } catch {
    // Not a JSON envelope: the raw line.
  }
  return text;
}

/** Lines of the files matching `pattern`, oldest file first, skipping files last written before `since`. */
export async function* fileLines(pattern: string, since: number): AsyncGenerator<string> {
  for (const file of await matchingFiles(pattern)) {
    const info = await stat(file);
    if (info.mtimeMs < since) continue;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) yield line;
  }
}

/** Hands every request-log line at `location` from `since` on to `take` (files or a shipped topic). */
export async function readLines(location: RequestLogLocation, deps: Pick<RequestLogSourceDeps, 'kafka' | 'admin' | 'logger'>, since: number, take: (line: string) => void): Promise<void> {
  if (location.kind === 'file') {
    for await (const line of fileLines(location.pattern, since)) take(line);
    return;
  }
  await readTopicSince(deps.kafka, deps.admin, {
    topic: location.topic,
    since,
    logger: deps.logger,
    onRecords: (_p, records) => {
      for (const r of records) {
        const line = shippedLine(r.value);
        if (line !== undefined) take(line);
      }
    },
  });
}

/** A request-log source reading from `location`. */
export function createRequestLogSource(location: RequestLogLocation, deps: RequestLogSourceDeps): AccessSource {
  let unmapped: UnmappedTopic[] = [];
  return {
    id: 'request-log',
    unmapped: () => unmapped,
    async *read(q: AccessQuery): AsyncIterable<AccessObservation> {
      const since = Date.parse(q.since);
      const until = Date.parse(q.until);
      const fetches: LoggedFetch[] = [];
      let lines = 0;
      const take = (line: string): void => {
        lines++;
        // Most lines concern other principals: a substring test spares parsing them.
        if (!line.includes(q.principal)) return;
        const f = parseRequestLogLine(line, deps.parse);
        if (f !== undefined) fetches.push(f);
      };
      await readLines(location, deps, since, take);
      // Rotated files and topic partitions interleave: order by the lines' own times (stable).
      fetches.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
      const logEnd = new Map<string, bigint>();
      for (const topic of q.topics) for (const o of await deps.admin.fetchTopicOffsets(topic)) logEnd.set(`${topic}:${o.partition}`, BigInt(o.high));
      deps.logger.info({ lines, fetches: fetches.length, location: location.kind }, 'request log read');
      const names = await topicNamesFor(fetches, deps);
      const seen = new Map<string, { fetches: number; partitions: Set<number> }>();
      const observations = fetchRanges(fetches, {
        principal: q.principal,
        topics: q.topics,
        since,
        until,
        logEnd,
        topicNames: names.map,
        onUnmapped: (topicId, partition) => {
          const entry = seen.get(topicId) ?? { fetches: 0, partitions: new Set<number>() };
          entry.fetches++;
          entry.partitions.add(partition);
          seen.set(topicId, entry);
        },
      });
      unmapped = [...seen].map(([topicId, e]) => ({ source: 'request-log', topicId, fetches: e.fetches, partitions: [...e.partitions].sort((a, b) => a - b), reason: names.fromMetadata ? 'unknown-topic-id' : 'no-topic-ids-in-metadata' }));
      if (unmapped.length > 0) deps.logger.warn({ unmapped }, 'request-log fetches name topic ids no metadata maps: reported, not attributed');
      yield* observations;
    },
  };
}

/**
 * The id → name map for these fetches: the configured one, completed from the cluster's metadata
 * when some principal's line names a topic by an id it lacks (asked once per read).
 */
async function topicNamesFor(fetches: readonly LoggedFetch[], deps: RequestLogSourceDeps): Promise<{ map: ReadonlyMap<string, string>; fromMetadata: boolean }> {
  const given = deps.topicNames ?? new Map<string, string>();
  const missing = fetches.some((f) => f.partitions.some((p) => p.topic === undefined && p.topicId !== undefined && !given.has(p.topicId)));
  if (!missing || deps.resolveTopicIds === undefined) return { map: given, fromMetadata: deps.topicNames !== undefined && deps.topicNames.size > 0 };
  const fromCluster = await deps.resolveTopicIds();
  if (fromCluster === undefined) return { map: given, fromMetadata: false };
  return { map: new Map([...given, ...fromCluster]), fromMetadata: true };
}
