import { createHash } from 'node:crypto';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { GENESIS_HASH } from '../domain/audit-chain';
import type { EventDataMap, OffsetRange } from '../domain/events';
import type { Logger } from '../log/logger';
import type { DataKey, SecretsPort } from '../vault/port';
import { ChunkBuilder, chunkKey, isChunk, parseChunk, sealChunk, type ChunkRecord, type SealedChunk } from './evidence-chunk';
import {
  EVIDENCE_SIGNING_KEY,
  keyIdOf,
  manifestDigest,
  manifestSigningInput,
  manifestValue,
  parseManifest,
  type ManifestBody,
  type ManifestChunk,
  type SignedManifest,
} from './evidence-manifest';
import { EvidenceReplayError, preservedRange, type PreservedRange } from './evidence-replay';
import { ensureImmutableTopic } from './immutable-topic';
import { MerkleAccumulator } from './merkle';
import { readSlice, SliceUnavailableError, topicBounds } from './topic-reader';

/**
 * Evidence replay in binary chunks (issue 13; format in docs/evidence-format.md), pipelined:
 * the reader packs records into a chunk while the previous chunk is being produced; sealed chunks
 * wait in a bounded queue, and a full queue stalls the reader (back-pressure), so memory stays at
 * `queueDepth` chunks whatever the window.
 *
 * Exactly once without transactions, as the record-format replay does it: the evidence partition
 * is the record of progress. A checkpoint is heartbeated after every chunk the broker acknowledged;
 * on start the replay reads the evidence partition from the checkpoint's position to its end and
 * adopts every chunk of its chain found there (written after the last heartbeat), so it resumes at
 * the exact chunk boundary: no gap, no duplicate. A manifest already written means the job is done.
 */

/** One job: a source partition's ranges of the forensic window. */
export interface ChunkReplayJob {
  incidentId: string;
  stepKey: string;
  sourceTopic: string;
  partition: number;
  /** Disjoint, ascending; `to` inclusive. */
  ranges: readonly OffsetRange[];
  evidenceTopic: string;
  transitKey: string;
  /** Upper bound of records per chunk. */
  maxRecordsPerChunk: number;
  /** Upper bound of a sealed chunk. @default 900 KiB (under Kafka's default max.message.bytes of 1 MB) */
  maxChunkBytes?: number;
  /** @default {@link EVIDENCE_SIGNING_KEY} */
  signingKey?: string;
}

/** What the replay needs from outside. */
export interface ChunkReplayDeps {
  kafka: Kafka;
  secrets: SecretsPort;
  logger: Logger;
  now: () => Date;
  writer: string;
  heartbeat: (checkpoint: ChunkCheckpoint) => void;
  signal?: AbortSignal;
  /** Fetch bound per partition. @default 1 MiB */
  maxBytesPerPartition?: number;
  /** Sealed chunks waiting for the producer before the reader stalls. @default 4 */
  queueDepth?: number;
}

/** The heartbeat checkpoint: everything needed to resume after the last acknowledged chunk. */
export interface ChunkCheckpoint {
  format: 'chunks-v1';
  stepKey: string;
  sourceTopic: string;
  partition: number;
  evidencePartition: number;
  rangeIndex: number;
  nextOffset: string;
  /** Next chunk's seq and the chain head. */
  seq: number;
  prevHash: string;
  produced: string;
  sourceBytes: string;
  evidenceBytes: string;
  rangeProduced: string;
  /** Fold of the range's chunk hashes (the `EvidencePreserved` digest). */
  rangeDigest: string;
  evidenceOffset: string;
  merkle: ReturnType<MerkleAccumulator['save']>;
  chunks: ManifestChunk[];
  keyIds: string[];
  completed: PreservedRange[];
  manifest?: EventDataMap['EvidenceManifestSigned'];
}

/** Result of a chunk replay. */
export interface ChunkReplayResult {
  ranges: PreservedRange[];
  manifest: EventDataMap['EvidenceManifestSigned'];
  produced: string;
  /** Chunks adopted from the evidence topic at start. */
  adopted: number;
}

function fold(digest: string, hash: string): string {
  return createHash('sha256').update(digest, 'utf8').update(hash, 'utf8').digest('hex');
}

function headerList(message: KafkaMessage): Array<[string, Buffer | null]> {
  const out: Array<[string, Buffer | null]> = [];
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) out.push([name, v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')]);
  }
  return out;
}

/** A source record as kafkajs delivers it, in chunk form. */
export function chunkRecord(m: KafkaMessage): ChunkRecord {
  return { offset: BigInt(m.offset), timestamp: BigInt(m.timestamp), key: m.key ?? null, value: m.value ?? null, headers: headerList(m) };
}

/** Runs one chunk replay job; see the module comment. */
export class ChunkReplay {
  private state!: ChunkCheckpoint;
  private producer: Producer | undefined;
  private adopted = 0;
  private merkle = new MerkleAccumulator();
  /** Chain position of the next chunk to seal (runs ahead of the acknowledged `state`). */
  private sealSeq = 0;
  private sealHead = GENESIS_HASH;
  private queue: SealedChunk[] = [];
  private sending: Promise<void> | undefined;
  private failure: unknown;
  private spaceWaiter: (() => void) | undefined;
  private nextKey: Promise<DataKey> | undefined;

  constructor(
    private readonly job: ChunkReplayJob,
    private readonly deps: ChunkReplayDeps,
  ) {}

  /** Replays (or resumes), then signs and writes the manifest. */
  async run(resume: unknown): Promise<ChunkReplayResult> {
    const { evidencePartitions, evidenceLow, evidenceHigh } = await this.prepare();
    const evidencePartition = this.job.partition % evidencePartitions;
    this.state = this.fromCheckpoint(resume, evidencePartition) ?? this.initial(evidencePartition, evidenceLow);
    if (BigInt(this.state.evidenceOffset) < evidenceLow) this.state.evidenceOffset = evidenceLow.toString();
    this.merkle = MerkleAccumulator.restore(this.state.merkle) ?? new MerkleAccumulator();
    try {
      await this.adopt(evidencePartitions, evidenceHigh);
      if (this.state.manifest === undefined) {
        this.sealSeq = this.state.seq;
        this.sealHead = this.state.prevHash;
        while (this.state.rangeIndex < this.job.ranges.length) await this.replayRange();
        await this.writeManifest();
      }
    } finally {
      this.nextKey?.then((k) => k.plaintext.fill(0), () => undefined);
      await this.producer?.disconnect().catch(() => undefined);
    }
    const manifest = this.state.manifest as EventDataMap['EvidenceManifestSigned'];
    return { ranges: this.state.completed, manifest, produced: this.state.produced, adopted: this.adopted };
  }

  private async prepare(): Promise<{ evidencePartitions: number; evidenceLow: bigint; evidenceHigh: bigint }> {
    const { job } = this;
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const source = await topicBounds(admin, job.sourceTopic);
      const bounds = source.find((b) => b.partition === job.partition);
      if (bounds === undefined) throw new EvidenceReplayError('EvidenceTopicMismatch', `${job.sourceTopic} has no partition ${job.partition}`, true);
      const first = job.ranges[0];
      if (first !== undefined && BigInt(first.from) < bounds.low) throw this.truncated(BigInt(first.from), bounds.low);
      const topic = await ensureImmutableTopic(admin, { topic: job.evidenceTopic, partitions: source.length, writer: this.deps.writer }, this.deps.logger);
      const ev = (await topicBounds(admin, job.evidenceTopic)).find((b) => b.partition === job.partition % topic.partitions);
      await this.deps.secrets.ensureEncryptionKey(job.transitKey);
      return { evidencePartitions: topic.partitions, evidenceLow: ev?.low ?? 0n, evidenceHigh: ev?.high ?? 0n };
    } finally {
      await admin.disconnect();
    }
  }

  private truncated(offset: bigint, low: bigint): EvidenceReplayError {
    return new EvidenceReplayError('EvidenceSourceTruncated', `${this.job.sourceTopic}/${this.job.partition}: offset ${offset} is no longer in the log (it starts at ${low}); was the legal hold applied?`, true);
  }

  private initial(evidencePartition: number, evidenceLow: bigint): ChunkCheckpoint {
    return {
      format: 'chunks-v1',
      stepKey: this.job.stepKey,
      sourceTopic: this.job.sourceTopic,
      partition: this.job.partition,
      evidencePartition,
      rangeIndex: 0,
      nextOffset: this.job.ranges[0]?.from ?? '0',
      seq: 0,
      prevHash: GENESIS_HASH,
      produced: '0',
      sourceBytes: '0',
      evidenceBytes: '0',
      rangeProduced: '0',
      rangeDigest: GENESIS_HASH,
      evidenceOffset: evidenceLow.toString(),
      merkle: new MerkleAccumulator().save(),
      chunks: [],
      keyIds: [],
      completed: [],
    };
  }

  /** Accepts a checkpoint only if it is this very job's (a record-format one restarts from the topic). */
  private fromCheckpoint(details: unknown, evidencePartition: number): ChunkCheckpoint | undefined {
    if (typeof details !== 'object' || details === null) return undefined;
    const d = details as Partial<ChunkCheckpoint>;
    const ok =
      d.format === 'chunks-v1' &&
      d.stepKey === this.job.stepKey &&
      d.sourceTopic === this.job.sourceTopic &&
      d.partition === this.job.partition &&
      d.evidencePartition === evidencePartition &&
      typeof d.rangeIndex === 'number' &&
      d.rangeIndex >= 0 &&
      d.rangeIndex <= this.job.ranges.length &&
      typeof d.seq === 'number' &&
      Array.isArray(d.chunks) &&
      d.chunks.length === d.seq &&
      Array.isArray(d.completed) &&
      d.completed.length === d.rangeIndex &&
      MerkleAccumulator.restore(d.merkle) !== undefined;
    return ok ? structuredClone(d as ChunkCheckpoint) : undefined;
  }

  /** Reads the evidence partition after the checkpoint and adopts this chain's chunks (and manifest). */
  private async adopt(evidencePartitions: number, evidenceHigh: bigint): Promise<void> {
    const from = BigInt(this.state.evidenceOffset);
    if (from >= evidenceHigh) return;
    const key = chunkKey(this.job.stepKey, this.job.sourceTopic, this.job.partition);
    await readSlice(this.deps.kafka, {
      topic: this.job.evidenceTopic,
      partition: this.state.evidencePartition,
      partitions: evidencePartitions,
      from,
      toExclusive: evidenceHigh,
      ...(this.deps.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: this.deps.maxBytesPerPartition } : {}),
      groupPrefix: 'breachline-evidence-resume',
      ...(this.deps.signal !== undefined ? { signal: this.deps.signal } : {}),
      onMessages: async (messages) => {
        for (const m of messages) {
          if (m.key?.toString('utf8') !== key && m.key?.toString('utf8') !== `${key}|manifest`) continue;
          if (isChunk(m.value)) this.adoptChunk(m.value, BigInt(m.offset));
          else this.adoptManifest(m.value, BigInt(m.offset));
        }
        this.state.evidenceOffset = (BigInt((messages.at(-1) as KafkaMessage).offset) + 1n).toString();
        this.beat();
        return Promise.resolve();
      },
    });
    this.state.evidenceOffset = evidenceHigh.toString();
    if (this.adopted > 0) this.deps.logger.info({ adopted: this.adopted, nextOffset: this.state.nextOffset }, 'evidence resumed from the evidence topic tail');
  }

  private adoptChunk(value: Buffer, evidenceOffset: bigint): void {
    const chunk = parseChunk(value);
    const h = chunk.header;
    if (h.stepKey !== this.job.stepKey || h.topic !== this.job.sourceTopic || h.partition !== this.job.partition) return;
    if (h.seq < this.state.seq) return; // already in the checkpoint
    if (h.seq !== this.state.seq || h.prevHash !== this.state.prevHash) {
      throw new EvidenceReplayError('EvidenceChainBroken', `evidence chunk ${h.seq} at ${this.job.evidenceTopic}/${this.state.evidencePartition}@${evidenceOffset} does not continue the chain of ${h.topic}/${h.partition}`, true);
    }
    this.accept(
      { bytes: value, hash: chunk.hash, header: h, recordHashes: chunk.recordHashes, sourceBytes: h.sourceBytes },
      evidenceOffset,
      chunk.offsets,
    );
    this.adopted++;
  }

  private adoptManifest(value: Buffer | null, offset: bigint): void {
    const manifest = parseManifest(value);
    if (manifest === undefined || manifest.stepKey !== this.job.stepKey || manifest.source.topic !== this.job.sourceTopic || manifest.source.partition !== this.job.partition) return;
    while (this.state.rangeIndex < this.job.ranges.length) this.completeRange();
    this.state.manifest = this.manifestEvent(manifest, offset);
  }

  /** Books one acknowledged (or adopted) chunk: chain, Merkle, ranges, counts, checkpoint. */
  private accept(chunk: SealedChunk, evidenceOffset: bigint, offsets: readonly bigint[]): void {
    const h = chunk.header;
    const first = offsets[0] as bigint;
    let range = this.job.ranges[this.state.rangeIndex];
    while (range !== undefined && first > BigInt(range.to)) {
      this.completeRange();
      range = this.job.ranges[this.state.rangeIndex];
    }
    if (range === undefined || first < BigInt(range.from) || BigInt(h.lastOffset) > BigInt(range.to)) {
      throw new EvidenceReplayError('EvidenceChainBroken', `evidence chunk ${h.seq} (offsets ${h.firstOffset}..${h.lastOffset}) lies outside the ranges being preserved`, true);
    }
    for (const rh of chunk.recordHashes) this.merkle.add(rh);
    const s = this.state;
    s.merkle = this.merkle.save();
    s.nextOffset = (BigInt(h.lastOffset) + 1n).toString();
    s.seq = h.seq + 1;
    s.prevHash = chunk.hash;
    s.produced = (BigInt(s.produced) + BigInt(h.records)).toString();
    s.rangeProduced = (BigInt(s.rangeProduced) + BigInt(h.records)).toString();
    s.sourceBytes = (BigInt(s.sourceBytes) + BigInt(chunk.sourceBytes)).toString();
    s.evidenceBytes = (BigInt(s.evidenceBytes) + BigInt(chunk.bytes.length)).toString();
    s.rangeDigest = fold(s.rangeDigest, chunk.hash);
    s.evidenceOffset = (evidenceOffset + 1n).toString();
    s.chunks.push({ seq: h.seq, evidenceOffset: evidenceOffset.toString(), firstOffset: h.firstOffset, lastOffset: h.lastOffset, records: h.records, hash: chunk.hash });
    const keyId = keyIdOf(h.transitKey, h.wrappedKey);
    if (!s.keyIds.includes(keyId)) s.keyIds.push(keyId);
  }

  private completeRange(): void {
    const done = preservedRange(this.job, this.state.rangeIndex, this.state.rangeProduced, this.state.rangeDigest, this.deps);
    if (done === undefined) return;
    this.state.completed.push(done);
    this.state.rangeIndex++;
    const next = this.job.ranges[this.state.rangeIndex];
    if (next !== undefined) this.state.nextOffset = next.from;
    this.state.rangeDigest = GENESIS_HASH;
    this.state.rangeProduced = '0';
  }

  /** Reads one range and seals it into chunks that never cross the range's end. */
  private async replayRange(): Promise<void> {
    const range = this.job.ranges[this.state.rangeIndex] as OffsetRange;
    const start = BigInt(this.state.nextOffset) > BigInt(range.from) ? BigInt(this.state.nextOffset) : BigInt(range.from);
    const admin = this.deps.kafka.admin();
    await admin.connect();
    const partitions = await topicBounds(admin, this.job.sourceTopic).finally(() => admin.disconnect());
    const bounds = partitions.find((b) => b.partition === this.job.partition);
    const high = bounds?.high ?? 0n;
    // Never wait for offsets the log does not hold (yet): the window is what was there to read.
    const end = BigInt(range.to) + 1n < high ? BigInt(range.to) + 1n : high;
    if (start < end && start < (bounds?.low ?? 0n)) throw this.truncated(start, bounds?.low ?? 0n);
    let builder = this.newBuilder();
    await readSlice(this.deps.kafka, {
      topic: this.job.sourceTopic,
      partition: this.job.partition,
      partitions: partitions.length,
      from: start,
      toExclusive: end,
      ...(this.deps.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: this.deps.maxBytesPerPartition } : {}),
      groupPrefix: 'breachline-evidence',
      ...(this.deps.signal !== undefined ? { signal: this.deps.signal } : {}),
      onMessages: async (messages) => {
        for (const m of messages) {
          const record = chunkRecord(m);
          if (!builder.fits(record)) {
            await this.enqueue(builder);
            builder = this.newBuilder();
          }
          builder.add(record);
        }
      },
    }).catch((err: unknown) => {
      throw err instanceof SliceUnavailableError ? this.truncated(err.next, err.bounds.low) : err;
    });
    if (builder.records > 0) await this.enqueue(builder);
    await this.drain();
    this.completeRange();
    this.beat();
  }

  private newBuilder(): ChunkBuilder {
    return new ChunkBuilder(this.job.sourceTopic, this.job.partition, { maxBytes: this.job.maxChunkBytes ?? 900 * 1024, maxRecords: this.job.maxRecordsPerChunk });
  }

  /** A data key from Vault, asked for one chunk ahead so the round trip overlaps the packing. */
  private takeDataKey(): Promise<DataKey> {
    const key = this.nextKey ?? this.deps.secrets.generateDataKey(this.job.transitKey);
    this.nextKey = this.deps.secrets.generateDataKey(this.job.transitKey);
    this.nextKey.catch(() => undefined);
    return key;
  }

  /** Seals a full builder and queues it for the producer; waits while the queue is full. */
  private async enqueue(builder: ChunkBuilder): Promise<void> {
    this.throwIfFailed();
    const key = await this.takeDataKey();
    let sealed: SealedChunk;
    try {
      sealed = sealChunk(builder, {
        incidentId: this.job.incidentId,
        stepKey: this.job.stepKey,
        seq: this.sealSeq,
        prevHash: this.sealHead,
        transitKey: this.job.transitKey,
        wrappedKey: key.ciphertext,
        dataKey: key.plaintext,
      });
    } finally {
      key.plaintext.fill(0);
    }
    this.sealSeq++;
    this.sealHead = sealed.hash;
    this.queue.push(sealed);
    this.sending ??= this.sendLoop();
    while (this.queue.length >= (this.deps.queueDepth ?? 4) && this.failure === undefined) {
      await new Promise<void>((resolve) => (this.spaceWaiter = resolve));
    }
    this.throwIfFailed();
  }

  /** Produces queued chunks one at a time, in chain order, booking each acknowledged one. */
  private async sendLoop(): Promise<void> {
    try {
      const producer = await this.connectedProducer();
      const key = chunkKey(this.job.stepKey, this.job.sourceTopic, this.job.partition);
      for (let chunk = this.queue[0]; chunk !== undefined; chunk = this.queue[0]) {
        this.throwIfAborted();
        const [meta] = await producer.send({ topic: this.job.evidenceTopic, acks: -1, messages: [{ key, value: chunk.bytes, partition: this.state.evidencePartition }] });
        const offset = meta?.baseOffset === undefined ? BigInt(this.state.evidenceOffset) : BigInt(meta.baseOffset);
        this.queue.shift();
        this.accept(chunk, offset, [BigInt(chunk.header.firstOffset)]);
        this.beat();
        this.spaceWaiter?.();
      }
    } catch (err) {
      this.failure = err;
      this.spaceWaiter?.();
    } finally {
      this.sending = undefined;
    }
  }

  /** Waits until every queued chunk is acknowledged. */
  private async drain(): Promise<void> {
    while (this.sending !== undefined) await this.sending;
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private throwIfAborted(): void {
    const signal = this.deps.signal;
    if (signal?.aborted) throw signal.reason ?? new Error('evidence replay aborted');
  }

  /** Signs the manifest through Vault transit and writes it after the last chunk. */
  private async writeManifest(): Promise<void> {
    const s = this.state;
    const signingKey = this.job.signingKey ?? EVIDENCE_SIGNING_KEY;
    await this.deps.secrets.ensureSigningKey(signingKey);
    const body: ManifestBody = {
      v: 1,
      kind: 'evidence-manifest',
      incidentId: this.job.incidentId,
      stepKey: this.job.stepKey,
      evidenceTopic: this.job.evidenceTopic,
      evidencePartition: s.evidencePartition,
      source: { topic: this.job.sourceTopic, partition: this.job.partition },
      ranges: s.completed.map((r) => ({ from: r.from, to: r.to, records: r.records })),
      records: s.produced,
      sourceBytes: s.sourceBytes,
      merkleRoot: this.merkle.root().toString('hex'),
      chainHead: s.prevHash,
      chunks: s.chunks,
      keyIds: [...s.keyIds].sort(),
      signingKey,
    };
    const manifest: SignedManifest = { ...body, signature: await this.deps.secrets.sign(signingKey, manifestSigningInput(body)) };
    const producer = await this.connectedProducer();
    const key = `${chunkKey(this.job.stepKey, this.job.sourceTopic, this.job.partition)}|manifest`;
    const [meta] = await producer.send({ topic: this.job.evidenceTopic, acks: -1, messages: [{ key, value: manifestValue(manifest), partition: s.evidencePartition }] });
    s.manifest = this.manifestEvent(manifest, BigInt(meta?.baseOffset ?? s.evidenceOffset));
    this.beat();
  }

  private manifestEvent(m: SignedManifest, offset: bigint): EventDataMap['EvidenceManifestSigned'] {
    return {
      sourceTopic: m.source.topic,
      partition: m.source.partition,
      evidenceTopic: m.evidenceTopic,
      evidencePartition: m.evidencePartition,
      manifestOffset: offset.toString(),
      manifestSha256: manifestDigest(m),
      merkleRoot: m.merkleRoot,
      chainHead: m.chainHead,
      records: m.records,
      chunks: m.chunks.length,
      sourceBytes: m.sourceBytes,
      evidenceBytes: this.state.evidenceBytes,
      keyIds: m.keyIds,
      signingKey: m.signingKey,
      signature: m.signature,
    };
  }

  private beat(): void {
    this.deps.heartbeat(structuredClone(this.state));
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
