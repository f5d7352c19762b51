import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { GENESIS_HASH } from '../domain/audit-chain';
import type { EventDataMap, IsoTime, OffsetRange } from '../domain/events';
import type { Logger } from '../log/logger';
import type { SecretsPort } from '../vault/port';
import {
  EVIDENCE_RECORD_VERSION,
  encodePayload,
  encryptPayload,
  foldDigest,
  hashEvidence,
  parseEvidenceRecord,
  sealEvidenceValue,
  sha256Hex,
  type EvidenceRecord,
  type SourcePayload,
} from './evidence-envelope';
import { ensureImmutableTopic } from './immutable-topic';
import { readSlice, SliceUnavailableError, topicBounds } from './topic-reader';

/**
 * Replays one source partition's forensic ranges into the evidence topic (design §2, §7).
 *
 * Exactly-once without transactions: the evidence topic itself is the record of progress. Each
 * evidence record names its source offset and chains to the previous copy, so on every start the
 * replay reads the evidence partition from the checkpoint's position (or from its start when
 * there is none) to its end, adopts every copy of this step's chain it finds there, and continues
 * after the last one. A checkpoint that lags the topic (crash after a produce, before the
 * heartbeat), a stale one, or none at all therefore all resume at the same place: no gap, no
 * duplicate. The checkpoint only bounds how much has to be read back.
 */

/** Data of one `EvidencePreserved` event plus when the range was finished. */
export type PreservedRange = EventDataMap['EvidencePreserved'] & { at: IsoTime };

/** The heartbeat checkpoint. `nextOffset`/`prevHash`/`produced` are the resume point; the rest makes it cheap and safe. */
export interface ReplayCheckpoint {
  stepKey: string;
  sourceTopic: string;
  partition: number;
  /** Index into the ranges of the range in progress. */
  rangeIndex: number;
  /** Next source offset to copy. */
  nextOffset: string;
  /** Hash of the last evidence record of this chain (GENESIS_HASH before the first). */
  prevHash: string;
  /** Records copied so far, all ranges. */
  produced: string;
  /** Records copied in the range in progress, and its running digest. */
  rangeProduced: string;
  digest: string;
  /** Evidence partition and the offset after this chain's last known record there. */
  evidencePartition: number;
  evidenceOffset: string;
  completed: PreservedRange[];
}

/** One replay job: a source partition and its ranges. */
export interface ReplayJob {
  incidentId: string;
  stepKey: string;
  sourceTopic: string;
  partition: number;
  /** Disjoint, ascending; `to` inclusive. */
  ranges: readonly OffsetRange[];
  evidenceTopic: string;
  /** Records per chunk: one data key, one heartbeat. */
  chunkSize: number;
  transitKey: string;
}

/** What the replay needs from outside. */
export interface ReplayDeps {
  kafka: Kafka;
  secrets: SecretsPort;
  logger: Logger;
  now: () => Date;
  /** The only principal allowed to write the evidence topic, e.g. `User:breachline`. */
  writer: string;
  /** Called with a checkpoint after every chunk. */
  heartbeat: (checkpoint: ReplayCheckpoint) => void;
  /** Aborts between chunks (activity cancellation). */
  signal?: AbortSignal;
  /** Fetch bound per partition. @default 1 MiB */
  maxBytesPerPartition?: number;
  /** Upper bound of one produce request's payload. @default 900 KiB (under Kafka's default 1 MB message.max.bytes) */
  maxProduceBytes?: number;
}

/** Result of a replay. */
export interface ReplayResult {
  evidencePartition: number;
  ranges: PreservedRange[];
  produced: string;
  /** Copies adopted from the evidence topic at start (written by an earlier attempt after its last heartbeat). */
  adopted: number;
}

/**
 * The record of one range fully copied (both replay formats): what was copied and its digest. A count
 * that differs from the forensic window is logged, not refused (the window is an estimate where it is
 * not exact). Undefined past the last range.
 */
export function preservedRange(
  job: Pick<ReplayJob, 'sourceTopic' | 'partition' | 'ranges' | 'evidenceTopic'>,
  index: number,
  copied: string,
  digest: string,
  deps: Pick<ReplayDeps, 'logger' | 'now'>,
): PreservedRange | undefined {
  const range = job.ranges[index];
  if (range === undefined) return undefined;
  if (copied !== range.records) {
    deps.logger.warn({ partition: job.partition, from: range.from, to: range.to, expected: range.records, copied }, 'evidence count differs from the forensic window');
  }
  return { sourceTopic: job.sourceTopic, partition: job.partition, from: range.from, to: range.to, records: copied, evidenceTopic: job.evidenceTopic, digest, at: deps.now().toISOString() };
}

/** A replay failure with a stable type; `nonRetryable` when retrying cannot help. */
export class EvidenceReplayError extends Error {
  constructor(
    readonly type: 'EvidenceSourceTruncated' | 'EvidenceChainBroken' | 'EvidenceTopicMismatch',
    message: string,
    readonly nonRetryable: boolean,
  ) {
    super(message);
    this.name = 'EvidenceReplayError';
  }
}

function truncated(job: ReplayJob, offset: bigint, low: bigint): EvidenceReplayError {
  return new EvidenceReplayError('EvidenceSourceTruncated', `${job.sourceTopic}/${job.partition}: offset ${offset} is no longer in the log (it starts at ${low}); was the legal hold applied?`, true);
}

function headerList(headers: IHeaders | undefined): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) if (v !== undefined) out.push([name, Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')]);
  }
  return out;
}

/** The payload of a source record as kafkajs delivers it. */
export function sourcePayload(message: KafkaMessage): SourcePayload {
  return { key: message.key ?? null, value: message.value ?? null, headers: headerList(message.headers) };
}

/** Runs one replay job to completion (or until aborted / failed), resuming from `resume`. */
export class EvidenceReplay {
  private state!: ReplayCheckpoint;
  private producer: Producer | undefined;
  private adopted = 0;

  constructor(
    private readonly job: ReplayJob,
    private readonly deps: ReplayDeps,
  ) {}

  /** Replays, resuming from the previous attempt's checkpoint when it matches this job. */
  async run(resume: unknown): Promise<ReplayResult> {
    const { job } = this;
    const admin = this.deps.kafka.admin();
    await admin.connect();
    let evidencePartitions: number;
    let evidenceLow: bigint;
    let evidenceHigh: bigint;
    try {
      const source = await topicBounds(admin, job.sourceTopic);
      const bounds = source.find((b) => b.partition === job.partition);
      if (bounds === undefined) throw new EvidenceReplayError('EvidenceTopicMismatch', `${job.sourceTopic} has no partition ${job.partition}`, true);
      const first = job.ranges[0];
      if (first !== undefined && BigInt(first.from) < bounds.low) throw truncated(job, BigInt(first.from), bounds.low);
      const topic = await ensureImmutableTopic(admin, { topic: job.evidenceTopic, partitions: source.length, writer: this.deps.writer }, this.deps.logger);
      evidencePartitions = topic.partitions;
      const partition = job.partition % evidencePartitions;
      const ev = (await topicBounds(admin, job.evidenceTopic)).find((b) => b.partition === partition);
      evidenceLow = ev?.low ?? 0n;
      evidenceHigh = ev?.high ?? 0n;
    } finally {
      await admin.disconnect();
    }
    const evidencePartition = job.partition % evidencePartitions;
    this.state = this.fromCheckpoint(resume, evidencePartition) ?? this.initial(evidencePartition, evidenceLow);
    if (BigInt(this.state.evidenceOffset) < evidenceLow) this.state.evidenceOffset = evidenceLow.toString();
    try {
      await this.adopt(evidencePartitions, evidenceHigh);
      while (this.state.rangeIndex < job.ranges.length) await this.replayRange(this.state.rangeIndex);
    } finally {
      await this.producer?.disconnect().catch(() => undefined);
    }
    return { evidencePartition, ranges: this.state.completed, produced: this.state.produced, adopted: this.adopted };
  }

  private initial(evidencePartition: number, evidenceLow: bigint): ReplayCheckpoint {
    const first = this.job.ranges[0];
    return {
      stepKey: this.job.stepKey,
      sourceTopic: this.job.sourceTopic,
      partition: this.job.partition,
      rangeIndex: 0,
      nextOffset: first?.from ?? '0',
      prevHash: GENESIS_HASH,
      produced: '0',
      rangeProduced: '0',
      digest: GENESIS_HASH,
      evidencePartition,
      evidenceOffset: evidenceLow.toString(),
      completed: [],
    };
  }

  /** Accepts a checkpoint only if it is for this very job; anything else restarts from the topic. */
  private fromCheckpoint(details: unknown, evidencePartition: number): ReplayCheckpoint | undefined {
    if (typeof details !== 'object' || details === null) return undefined;
    const d = details as Partial<ReplayCheckpoint>;
    const ok =
      d.stepKey === this.job.stepKey &&
      d.sourceTopic === this.job.sourceTopic &&
      d.partition === this.job.partition &&
      d.evidencePartition === evidencePartition &&
      typeof d.rangeIndex === 'number' &&
      d.rangeIndex >= 0 &&
      d.rangeIndex <= this.job.ranges.length &&
      [d.nextOffset, d.produced, d.rangeProduced, d.evidenceOffset].every((v) => typeof v === 'string' && /^\d+$/.test(v)) &&
      typeof d.prevHash === 'string' &&
      typeof d.digest === 'string' &&
      Array.isArray(d.completed) &&
      d.completed.length === d.rangeIndex;
    return ok ? structuredClone(d as ReplayCheckpoint) : undefined;
  }

  /** Reads this chain's copies written after the checkpoint and takes them as done. */
  private async adopt(evidencePartitions: number, evidenceHigh: bigint): Promise<void> {
    const from = BigInt(this.state.evidenceOffset);
    if (from >= evidenceHigh) return;
    let sinceBeat = 0;
    await readSlice(this.deps.kafka, {
      topic: this.job.evidenceTopic,
      partition: this.state.evidencePartition,
      partitions: evidencePartitions,
      from,
      toExclusive: evidenceHigh,
      maxBytesPerPartition: this.deps.maxBytesPerPartition,
      groupPrefix: 'breachline-evidence-resume',
      signal: this.deps.signal,
      onMessages: async (messages) => {
        for (const m of messages) {
          const r = parseEvidenceRecord(m.value);
          if (r === undefined || r.stepKey !== this.job.stepKey || r.source.topic !== this.job.sourceTopic || r.source.partition !== this.job.partition) continue;
          if (BigInt(r.source.offset) < BigInt(this.state.nextOffset)) continue; // already counted in the checkpoint
          if (r.prevHash !== this.state.prevHash || hashEvidence(r, r.prevHash) !== r.hash) {
            throw new EvidenceReplayError('EvidenceChainBroken', `evidence ${this.job.evidenceTopic}/${this.state.evidencePartition}@${m.offset} does not continue the chain of ${this.job.sourceTopic}/${this.job.partition}`, true);
          }
          this.accept(BigInt(r.source.offset), r.sha256, r.hash, BigInt(m.offset));
          this.adopted++;
          sinceBeat++;
        }
        this.state.evidenceOffset = (BigInt((messages[messages.length - 1] as KafkaMessage).offset) + 1n).toString();
        if (sinceBeat >= this.job.chunkSize) {
          sinceBeat = 0;
          this.beat();
        }
      },
    });
    this.state.evidenceOffset = evidenceHigh.toString();
    if (this.adopted > 0) this.deps.logger.info({ adopted: this.adopted, nextOffset: this.state.nextOffset }, 'evidence resumed from the evidence topic tail');
  }

  /** Records one copy as done: it moves the chain, the digest and the range bookkeeping. */
  private accept(sourceOffset: bigint, sha256: string, hash: string, evidenceOffset: bigint): void {
    let range = this.job.ranges[this.state.rangeIndex];
    while (range !== undefined && sourceOffset > BigInt(range.to)) {
      this.completeRange();
      range = this.job.ranges[this.state.rangeIndex];
    }
    if (range === undefined || sourceOffset < BigInt(range.from)) {
      throw new EvidenceReplayError('EvidenceChainBroken', `evidence copy of offset ${sourceOffset} lies outside the ranges being preserved`, true);
    }
    this.state.nextOffset = (sourceOffset + 1n).toString();
    this.state.prevHash = hash;
    this.state.digest = foldDigest(this.state.digest, sha256);
    this.state.produced = (BigInt(this.state.produced) + 1n).toString();
    this.state.rangeProduced = (BigInt(this.state.rangeProduced) + 1n).toString();
    this.state.evidenceOffset = (evidenceOffset + 1n).toString();
  }

  private completeRange(): void {
    const done = preservedRange(this.job, this.state.rangeIndex, this.state.rangeProduced, this.state.digest, this.deps);
    if (done === undefined) return;
    this.state.completed.push(done);
    this.state.rangeIndex++;
    const next = this.job.ranges[this.state.rangeIndex];
    if (next !== undefined) this.state.nextOffset = next.from;
    this.state.digest = GENESIS_HASH;
    this.state.rangeProduced = '0';
  }

  private async replayRange(index: number): Promise<void> {
    const range = this.job.ranges[index] as OffsetRange;
    const start = BigInt(this.state.nextOffset) > BigInt(range.from) ? BigInt(this.state.nextOffset) : BigInt(range.from);
    const admin = this.deps.kafka.admin();
    await admin.connect();
    const partitions = await topicBounds(admin, this.job.sourceTopic).finally(() => admin.disconnect());
    // Never wait for offsets the log does not hold (yet): the window is what was there to read.
    const high = partitions.find((b) => b.partition === this.job.partition)?.high ?? 0n;
    const end = BigInt(range.to) + 1n < high ? BigInt(range.to) + 1n : high;
    let buffer: KafkaMessage[] = [];
    const low = partitions.find((b) => b.partition === this.job.partition)?.low ?? 0n;
    if (start < end && start < low) throw truncated(this.job, start, low);
    await readSlice(this.deps.kafka, {
      topic: this.job.sourceTopic,
      partition: this.job.partition,
      partitions: partitions.length,
      from: start,
      toExclusive: end,
      maxBytesPerPartition: this.deps.maxBytesPerPartition,
      groupPrefix: 'breachline-evidence',
      signal: this.deps.signal,
      onMessages: async (messages) => {
        buffer.push(...messages);
        while (buffer.length >= this.job.chunkSize) {
          const chunk = buffer.slice(0, this.job.chunkSize);
          buffer = buffer.slice(this.job.chunkSize);
          await this.copyChunk(chunk);
        }
      },
    }).catch((err: unknown) => {
      throw err instanceof SliceUnavailableError ? truncated(this.job, err.next, err.bounds.low) : err;
    });
    if (buffer.length > 0) await this.copyChunk(buffer);
    this.completeRange();
    this.beat();
  }

  /** Encrypts, chains and produces one chunk, then heartbeats. */
  private async copyChunk(messages: KafkaMessage[]): Promise<void> {
    this.throwIfAborted();
    const dataKey = randomBytes(32);
    const wrapped = { transitKey: this.job.transitKey, wrappedKey: await this.deps.secrets.encrypt(this.job.transitKey, dataKey) };
    const producer = await this.connectedProducer();
    const maxBytes = this.deps.maxProduceBytes ?? 900 * 1024;
    let prevHash = this.state.prevHash;
    let batch: Array<{ record: EvidenceRecord; value: string }> = [];
    let batchBytes = 0;
    const send = async (): Promise<void> => {
      if (batch.length === 0) return;
      const [meta] = await producer.send({
        topic: this.job.evidenceTopic,
        acks: -1,
        messages: batch.map((b) => ({ key: `${this.job.stepKey}|${this.job.sourceTopic}|${this.job.partition}`, value: b.value, partition: this.state.evidencePartition })),
      });
      const base = meta?.baseOffset === undefined ? BigInt(this.state.evidenceOffset) : BigInt(meta.baseOffset);
      batch.forEach((b, i) => this.accept(BigInt(b.record.source.offset), b.record.sha256, b.record.hash, base + BigInt(i)));
      batch = [];
      batchBytes = 0;
    };
    for (const [index, m] of messages.entries()) {
      const source = { topic: this.job.sourceTopic, partition: this.job.partition, offset: m.offset, timestamp: m.timestamp };
      const plaintext = encodePayload(sourcePayload(m));
      const { record, value } = sealEvidenceValue(
        {
          v: EVIDENCE_RECORD_VERSION,
          kind: 'evidence',
          incidentId: this.job.incidentId,
          stepKey: this.job.stepKey,
          source,
          sha256: sha256Hex(plaintext),
          enc: encryptPayload(dataKey, wrapped, this.job.stepKey, source, plaintext, index),
        },
        prevHash,
      );
      prevHash = record.hash;
      if (batch.length > 0 && batchBytes + value.length > maxBytes) await send();
      batch.push({ record, value });
      batchBytes += value.length;
    }
    await send();
    dataKey.fill(0);
    this.beat();
  }

  private beat(): void {
    this.deps.heartbeat(structuredClone(this.state));
  }

  private throwIfAborted(): void {
    const signal = this.deps.signal;
    if (signal?.aborted) throw signal.reason ?? new Error('evidence replay aborted');
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer === undefined) {
      const producer = this.deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }
}
