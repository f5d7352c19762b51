import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeBatch } from '../log/record-batch';
import type { TopicStore } from '../log/topic-store';
import type { FetchRequest, FetchResponse } from '../protocol/fetch/v4';
import type { ProduceRequest } from '../protocol/produce/v3';
import { auditEvent } from './audit-events';
import { commitKey, commitValue, partitionForGroup } from './offsets-records';
import { jsonProduceLine, textProduceLine, type ProduceAnswer } from './produce-log-lines';
import { jsonLine, textLine, type FetchLineContext, type ServedBytes } from './request-log-lines';

/**
 * What the sandbox broker can emit for forensics drills, in the shapes real clusters keep (issue
 * 12): request-log lines of completed FETCHes and PRODUCEs (to a file with log4j-style rotation and/or a topic),
 * `__consumer_offsets` records on OffsetCommit, and Confluent audit CloudEvents on authorised
 * fetches. All off unless asked for, so drills exercise the same parsers production uses.
 */

/** Options (broker option `forensicEmit`). */
export interface ForensicEmitOptions {
  requestLog?: {
    /** @default 'json' */
    format?: 'json' | 'text';
    /** File the lines are appended to. */
    file?: string;
    /** Rotate the file past this size: `f` → `f.1` → `f.2` … (log4j RollingFileAppender). @default 0 (never) */
    maxFileBytes?: number;
    /** Topic the lines are shipped to (one record per line). */
    topic?: string;
    /** Format of the shipped lines, when it differs from the file's. @default format */
    topicFormat?: 'json' | 'text';
  };
  /** `__consumer_offsets` records on every accepted commit. */
  consumerOffsets?: { /** @default 50 */ partitions?: number; /** @default '__consumer_offsets' */ topic?: string };
  /** Audit CloudEvents for every authorised fetch of a topic. */
  auditLog?: { /** @default 'confluent-audit-log-events' */ topic?: string };
}

/** The broker side the emitter needs. */
export interface EmitterHost {
  readonly topics: TopicStore;
  readonly clusterId: string;
  now(): number;
}

/** A fetch the broker answered. */
export interface ServedFetch extends Omit<FetchLineContext, 'listener' | 'securityProtocol'> {
  clientAddress: string;
  tls: boolean;
  req: FetchRequest;
  res: FetchResponse;
  served: ServedBytes;
  /** Topics the principal was allowed to read in this request. */
  allowed: readonly string[];
}

/** A produce the broker completed (accepted or refused per partition; `res` null for acks=0). */
export interface CompletedProduce extends Omit<FetchLineContext, 'listener' | 'securityProtocol'> {
  tls: boolean;
  req: ProduceRequest;
  res: ProduceAnswer;
}

const MAX_BACKUPS = 10;

/** Emits the configured records; see the module comment. */
export class ForensicEmitter {
  private readonly offsetsTopic: string;
  private readonly auditTopic: string;

  constructor(
    private readonly options: ForensicEmitOptions,
    private readonly host: EmitterHost,
  ) {
    this.offsetsTopic = options.consumerOffsets?.topic ?? '__consumer_offsets';
    this.auditTopic = options.auditLog?.topic ?? 'confluent-audit-log-events';
  }

  /** Topics the emitter writes; fetches of only these are not logged (a reader would wake itself). */
  ownTopics(): string[] {
    const out: string[] = [];
    if (this.options.requestLog?.topic !== undefined) out.push(this.options.requestLog.topic);
    if (this.options.consumerOffsets !== undefined) out.push(this.offsetsTopic);
    if (this.options.auditLog !== undefined) out.push(this.auditTopic);
    return out;
  }

  /** Creates the topics written to (at broker start). */
  createTopics(): void {
    const ensure = (name: string, partitions: number): void => {
      if (!this.host.topics.get(name)) this.host.topics.create(name, partitions, new Map([['retention.ms', '-1']]), { internal: true });
    };
    if (this.options.requestLog?.topic !== undefined) ensure(this.options.requestLog.topic, 1);
    if (this.options.consumerOffsets !== undefined) ensure(this.offsetsTopic, this.options.consumerOffsets.partitions ?? 50);
    if (this.options.auditLog !== undefined) ensure(this.auditTopic, 1);
  }

  /** A completed fetch: a request-log line and the audit events. */
  onFetch(f: ServedFetch): void {
    const own = new Set(this.ownTopics());
    if (f.req.topics.every((t) => own.has(t.name))) return;
    const log = this.options.requestLog;
    if (log !== undefined) {
      const ctx: FetchLineContext = { ...f, listener: f.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT', securityProtocol: f.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT' };
      const line = (format: 'json' | 'text'): string => (format === 'json' ? jsonLine(ctx, f.req, f.res, f.served) : textLine(ctx, f.req, f.res, f.served));
      const format = log.format ?? 'json';
      if (log.file !== undefined) this.appendLine(log.file, line(format), log.maxFileBytes ?? 0);
      if (log.topic !== undefined) this.append(log.topic, 0, [{ key: null, value: Buffer.from(line(log.topicFormat ?? format)), timestamp: f.time }]);
    }
    if (this.options.auditLog !== undefined) {
      const events = f.allowed
        .filter((t) => !own.has(t))
        .map((topic) => ({ key: null, value: Buffer.from(auditEvent({ time: f.time, clusterId: this.host.clusterId, principal: f.principal, topic, clientId: f.clientId, clientAddress: f.clientAddress, correlationId: f.correlationId })), timestamp: f.time }));
      if (events.length > 0) this.append(this.auditTopic, 0, events);
    }
  }

  /** A completed produce: a request-log line, in the same file and topic as the fetches'. */
  onProduce(p: CompletedProduce): void {
    const log = this.options.requestLog;
    if (log === undefined) return;
    const ctx: FetchLineContext = { ...p, listener: p.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT', securityProtocol: p.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT' };
    const line = (format: 'json' | 'text'): string => (format === 'json' ? jsonProduceLine(ctx, p.req, p.res) : textProduceLine(ctx, p.req, p.res));
    const format = log.format ?? 'json';
    if (log.file !== undefined) this.appendLine(log.file, line(format), log.maxFileBytes ?? 0);
    if (log.topic !== undefined) this.append(log.topic, 0, [{ key: null, value: Buffer.from(line(log.topicFormat ?? format)), timestamp: p.time }]);
  }

  /** An accepted offset commit. */
  onCommit(group: string, topic: string, partition: number, offset: bigint, metadata: string | null): void {
    if (this.options.consumerOffsets === undefined) return;
    const log = this.host.topics.get(this.offsetsTopic);
    if (!log) return;
    const now = this.host.now();
    this.append(this.offsetsTopic, partitionForGroup(group, log.partitions.length), [{ key: commitKey(group, topic, partition), value: commitValue(offset, metadata ?? '', now), timestamp: now }]);
  }

  private append(topic: string, partition: number, records: Array<{ key: Buffer | null; value: Buffer; timestamp: number }>): void {
    const log = this.host.topics.get(topic)?.partitions[partition];
    if (!log) return;
    log.append([{ data: encodeBatch(records), recordCount: records.length, lastOffsetDelta: records.length - 1, maxTimestamp: records.reduce((m, r) => Math.max(m, r.timestamp), -1) }]);
  }

  private appendLine(file: string, line: string, maxBytes: number): void {
    mkdirSync(dirname(file), { recursive: true });
    if (maxBytes > 0 && existsSync(file) && statSync(file).size + line.length + 1 > maxBytes) {
      for (let i = MAX_BACKUPS - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      renameSync(file, `${file}.1`);
    }
    appendFileSync(file, `${line}\n`);
  }
}
