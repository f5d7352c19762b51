import type { UnlocatedWrite, WriteClaim } from '../../write-window';
import type { ParseOptions } from './parse';
import { parseProduceLine, type LoggedProduce } from './produce-parse';
import { readLines, type RequestLogLocation, type RequestLogSourceDeps } from './source';

/**
 * The write side of the request-log source: the principal's completed PRODUCE requests, each
 * partition answered without error becoming a {@link WriteClaim} (topic, partition, base offset,
 * client, time). Lines whose response carries an error took no offsets and are only counted;
 * acks=0 produces have no response and are reported as {@link UnlocatedWrite}s, never given
 * offsets. Where the records end and which producer wrote them is the batches' to say
 * (src/forensics/write-window.ts).
 */

/** What the write side asks. */
export interface ProduceLogQuery {
  principal: string;
  topics: readonly string[];
  /** Epoch ms; lines before are ignored. */
  since: number;
  /** Epoch ms; lines after are ignored. */
  until: number;
  /** Topic id → name, for Produce v13+ lines that name topics by id. */
  topicNames?: ReadonlyMap<string, string>;
}

/** What the principal's PRODUCE lines say. */
export interface LoggedWrites {
  claims: WriteClaim[];
  unlocated: UnlocatedWrite[];
  /** Partition writes answered with an error code: they took no offsets. */
  refused: number;
}

const SOURCE = 'request-log';

/** From parsed lines to claims (pure). */
export function produceClaims(produces: Iterable<LoggedProduce>, q: ProduceLogQuery): LoggedWrites {
  const wanted = new Set(q.topics);
  const out: LoggedWrites = { claims: [], unlocated: [], refused: 0 };
  for (const f of produces) {
    if (f.principal !== q.principal) continue;
    const time = f.time ?? 0;
    if (f.time !== undefined && (f.time < q.since || f.time > q.until)) continue;
    const client = { clientId: f.clientId, ...(f.clientAddress !== undefined ? { clientAddress: f.clientAddress } : {}) };
    if (!f.hasResponse && f.partitions.length === 0) {
      // Text form at DEBUG: an acks=0 line names neither topic nor partition.
      out.unlocated.push({ source: SOURCE, ...(f.partitionCount !== undefined ? { partitions: f.partitionCount } : {}), clientId: f.clientId, time, reason: 'acks-0' });
      continue;
    }
    for (const p of f.partitions) {
      const topic = p.topic ?? (p.topicId !== undefined ? q.topicNames?.get(p.topicId) : undefined);
      if (topic === undefined) {
        out.unlocated.push({ source: SOURCE, partition: p.partition, ...(p.recordsBytes !== undefined ? { bytes: p.recordsBytes } : {}), clientId: f.clientId, time, reason: 'unknown-topic-id' });
        continue;
      }
      if (!wanted.has(topic)) continue;
      if (!f.hasResponse) {
        out.unlocated.push({ source: SOURCE, topic, partition: p.partition, ...(p.recordsBytes !== undefined ? { bytes: p.recordsBytes } : {}), clientId: f.clientId, time, reason: 'acks-0' });
        continue;
      }
      if ((p.errorCode !== undefined && p.errorCode !== 0) || p.baseOffset === undefined || p.baseOffset < 0n) {
        out.refused++;
        continue;
      }
      out.claims.push({ source: SOURCE, topic, partition: p.partition, baseOffset: p.baseOffset, ...(p.recordsBytes !== undefined ? { bytes: p.recordsBytes } : {}), ...client, time });
    }
  }
  return out;
}

/** The principal's PRODUCE lines at `location`, parsed and in time order, and how many lines were read. */
export async function readLoggedProduces(location: RequestLogLocation, deps: Pick<RequestLogSourceDeps, 'kafka' | 'admin' | 'logger'> & { parse?: ParseOptions }, q: Pick<ProduceLogQuery, 'principal' | 'since'>): Promise<{ produces: LoggedProduce[]; lines: number }> {
  const produces: LoggedProduce[] = [];
  let lines = 0;
  await readLines(location, deps, q.since, (line) => {
    lines++;
    // Most lines are other APIs or other principals: substring tests spare parsing them.
    if (!line.includes('PRODUCE') || !line.includes(q.principal)) return;
    const p = parseProduceLine(line, deps.parse);
    if (p !== undefined) produces.push(p);
  });
  produces.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  return { produces, lines };
}
