import type { Kafka, Producer } from 'kafkajs';
import { checkpointBody, checkpointSigningInput, parseCheckpoint, type SignedCheckpoint } from '../domain/audit-checkpoint';
import { GENESIS_HASH, hashEvent, sealEvent } from '../domain/audit-chain';
import type { DomainEvent } from '../domain/events';
import type { Logger } from '../log/logger';
import type { SecretsPort } from '../vault/port';
import { advanceAnchor, defaultAnchorPath, type AnchorPoint } from './audit-anchor';
import { decodeAuditValue } from './audit-reader';
import { AuditChainClosedError, AuditConflictError, AuditSequenceGapError } from './audit-errors';
import { ensureImmutableTopic, type ImmutableTopicState } from './immutable-topic';
import { readSlice, topicBounds } from './topic-reader';

/**
 * The single writer of the audit topic (design §3, docs/audit-topic.md).
 *
 * Layout: ONE partition, so the topic is one ordered log. Before appending, the writer catches up
 * with the topic (from the offset it has read so far; a fresh process reads from the start) and
 * knows each incident's chain: every seq with its hash, prevHash and offset, whether it is
 * checkpointed, and whether it ended with `IncidentClosed`. Then, per event:
 *
 * - a seq already on the topic is sealed over the STORED record's prevHash and compared: the
 *   same hash is an idempotent retry (skipped, counted); a different one is an
 *   {@link AuditConflictError} naming the offset — nothing is ever skipped silently;
 * - the next seq is sealed onto the stored tail; a seq beyond it is an {@link AuditSequenceGapError};
 * - anything new for an incident whose chain ends with `IncidentClosed` is an
 *   {@link AuditChainClosedError}: a closed chain is never extended.
 *
 * The whole batch is checked before anything is produced, so a refused batch writes nothing.
 * With signing configured, every append ends with one signed checkpoint per incident whose tail
 * is not yet covered (also after a retry that found the events already written but no
 * checkpoint), and the anchor in Vault KV is advanced to the newest checkpoint.
 */

/** Signing of chain heads and the anchor outside Kafka. */
export interface AuditSigning {
  secrets: SecretsPort;
  /** Transit key (ed25519), created on ensure when missing. @default 'breachline-audit' */
  key?: string;
  /** KV v2 path of the anchor. @default `breachline/audit-anchor/<topic>` */
  anchorPath?: string;
}

/** Options of {@link AuditWriter}. */
export interface AuditWriterOptions {
  kafka: Kafka;
  topic: string;
  /** The orchestrator principal, the only one allowed to WRITE, e.g. `User:breachline`. */
  writer: string;
  logger: Logger;
  /** Absent: an unsigned chain (tests of the chain alone); the worker always signs. */
  signing?: AuditSigning;
  now?: () => Date;
}

/** Default transit key of the audit chain. */
export const AUDIT_SIGNING_KEY = 'breachline-audit';

interface StoredRecord {
  hash: string;
  prevHash: string;
  offset: bigint;
  /**
   * Written by this process, or matched by an event the workflow sent: only such records are
   * signed. A record someone else linked onto the chain is never signed by us (verify then reports
   * it as an unsigned tail, and the real event with its seq as a conflict).
   */
  confirmed: boolean;
}

interface Chain {
  seq: number;
  hash: string;
  closed: boolean;
  signedSeq: number;
  records: Map<number, StoredRecord>;
}

/** What one append did. */
export interface AppendResult {
  appended: number;
  skipped: number;
  /** Signed checkpoints written by this append; present when the writer signs. */
  checkpoints?: number;
}

/** Appends sealed events to the audit topic exactly once, and signs the chain heads. */
export class AuditWriter {
  private readonly chains = new Map<string, Chain>();
  /** Next topic offset not yet folded into `chains`. */
  private position = -1n;
  private producer: Producer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private ensured = false;
  private firstCheckpoint: bigint | undefined;
  private lastCheckpoint: AnchorPoint | undefined;
  private anchored = -1n;

  constructor(private readonly options: AuditWriterOptions) {}

  private get signingKey(): string {
    return this.options.signing?.key ?? AUDIT_SIGNING_KEY;
  }

  /** Creates the audit topic (1 partition) with immutable configs and ACLs, and the signing key; idempotent. */
  async ensureTopic(): Promise<ImmutableTopicState> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    let state: ImmutableTopicState;
    try {
      state = await ensureImmutableTopic(admin, { topic: this.options.topic, partitions: 1, writer: this.options.writer }, this.options.logger);
    } finally {
      await admin.disconnect();
    }
    if (this.options.signing !== undefined) await this.options.signing.secrets.ensureSigningKey(this.signingKey);
    this.ensured = true;
    return state;
  }

  /** Seals and produces the events not yet on the topic, in the order given, then signs the heads. */
  append(events: readonly DomainEvent[]): Promise<AppendResult> {
    const run = this.queue.then(() => this.appendNow(events));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Disconnects the producer. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  private chain(incidentId: string): Chain {
    let chain = this.chains.get(incidentId);
    if (chain === undefined) {
      chain = { seq: 0, hash: GENESIS_HASH, closed: false, signedSeq: 0, records: new Map() };
      this.chains.set(incidentId, chain);
    }
    return chain;
  }

  private async appendNow(events: readonly DomainEvent[]): Promise<AppendResult> {
    if (!this.ensured) await this.ensureTopic();
    await this.catchUp();
    const { sealed, skipped } = this.plan(events);
    if (sealed.length > 0) {
      const base = await this.produce(sealed.map((s) => ({ key: s.incidentId, value: JSON.stringify(s) })));
      sealed.forEach((s, i) => this.extend(s.incidentId, { hash: s.hash, prevHash: s.prevHash, offset: base + BigInt(i), confirmed: true }, s.seq, s.type));
    }
    const touched = new Set(events.map((e) => e.incidentId));
    const checkpoints = await this.signHeads(touched);
    await this.anchor();
    this.options.logger.debug({ appended: sealed.length, skipped, checkpoints }, 'audit events appended');
    return this.options.signing === undefined ? { appended: sealed.length, skipped } : { appended: sealed.length, skipped, checkpoints };
  }

  /** Decides for every event: skip (identical), refuse (conflict, gap, closed) or seal. Produces nothing. */
  private plan(events: readonly DomainEvent[]): { sealed: Array<ReturnType<typeof sealEvent>>; skipped: number } {
    const sealed: Array<ReturnType<typeof sealEvent>> = [];
    const pending = new Map<string, { seq: number; hash: string; closed: boolean; batch: Map<number, StoredRecord> }>();
    let skipped = 0;
    for (const event of events) {
      const chain = this.chain(event.incidentId);
      const head = pending.get(event.incidentId) ?? { seq: chain.seq, hash: chain.hash, closed: chain.closed, batch: new Map<number, StoredRecord>() };
      if (event.seq <= head.seq) {
        const stored = chain.records.get(event.seq) ?? head.batch.get(event.seq);
        if (stored === undefined || hashEvent(event, stored.prevHash) !== stored.hash) {
          throw new AuditConflictError(event.incidentId, event.seq, stored === undefined || stored.offset < 0n ? null : String(stored.offset));
        }
        stored.confirmed = true;
        skipped++;
        continue;
      }
      if (head.closed) throw new AuditChainClosedError(event.incidentId, event.seq);
      if (event.seq !== head.seq + 1) throw new AuditSequenceGapError(event.incidentId, head.seq + 1, event.seq);
      const s = sealEvent(event, head.hash);
      sealed.push(s);
      head.batch.set(s.seq, { hash: s.hash, prevHash: s.prevHash, offset: -1n, confirmed: true });
      pending.set(event.incidentId, { seq: s.seq, hash: s.hash, closed: s.type === 'IncidentClosed', batch: head.batch });
    }
    return { sealed, skipped };
  }

  private extend(incidentId: string, record: StoredRecord, seq: number, type: unknown): void {
    const chain = this.chain(incidentId);
    chain.records.set(seq, record);
    chain.seq = seq;
    chain.hash = record.hash;
    chain.closed = type === 'IncidentClosed';
  }

  /** The newest record of the chain that we may sign (see {@link StoredRecord.confirmed}). */
  private signable(chain: Chain): { seq: number; record: StoredRecord } | undefined {
    for (let seq = chain.seq; seq > chain.signedSeq; seq--) {
      const record = chain.records.get(seq);
      if (record?.confirmed === true) return { seq, record };
    }
    return undefined;
  }

  /** One signed checkpoint per touched incident whose head is not covered yet. */
  private async signHeads(incidents: ReadonlySet<string>): Promise<number> {
    const signing = this.options.signing;
    if (signing === undefined) return 0;
    const checkpoints: SignedCheckpoint[] = [];
    for (const id of incidents) {
      const chain = this.chains.get(id);
      const head = chain === undefined ? undefined : this.signable(chain);
      if (head === undefined) continue;
      const body = checkpointBody(id, head.seq, head.record.hash, head.record.offset);
      checkpoints.push({ ...body, signature: await signing.secrets.sign(this.signingKey, checkpointSigningInput(body)) });
    }
    if (checkpoints.length === 0) return 0;
    const base = await this.produce(checkpoints.map((c) => ({ key: c.incidentId, value: JSON.stringify(c) })));
    checkpoints.forEach((c, i) => this.foldCheckpoint(c, base + BigInt(i)));
    return checkpoints.length;
  }

  /** Moves the Vault anchor to the newest checkpoint known (ours or one found on the topic). */
  private async anchor(): Promise<void> {
    const signing = this.options.signing;
    if (signing === undefined || this.lastCheckpoint === undefined || this.firstCheckpoint === undefined) return;
    if (this.lastCheckpoint.offset <= this.anchored) return;
    const path = signing.anchorPath ?? defaultAnchorPath(this.options.topic);
    const anchor = await advanceAnchor(signing.secrets, path, this.options.topic, this.firstCheckpoint, this.lastCheckpoint, this.options.now ?? (() => new Date()));
    this.anchored = BigInt(anchor.lastCheckpointOffset);
  }

  /** Produces the values in one request (one partition: contiguous offsets) and returns the first offset. */
  private async produce(messages: Array<{ key: string; value: string }>): Promise<bigint> {
    const producer = await this.connectedProducer();
    const [meta] = await producer.send({ topic: this.options.topic, acks: -1, messages });
    if (meta?.baseOffset === undefined) throw new Error(`audit topic ${this.options.topic}: the broker returned no offset`);
    const base = BigInt(meta.baseOffset);
    // If nobody else wrote in between, our own records need not be read back.
    if (base === this.position) this.position += BigInt(messages.length);
    return base;
  }

  /** Folds every record between the last read position and the end of the topic. */
  private async catchUp(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    let bounds;
    try {
      bounds = await topicBounds(admin, this.options.topic);
    } finally {
      await admin.disconnect();
    }
    const b = bounds[0];
    if (b === undefined) throw new Error(`audit topic ${this.options.topic} has no partition`);
    if (bounds.length !== 1) throw new Error(`audit topic ${this.options.topic} must have exactly one partition, has ${bounds.length}`);
    if (this.position < b.low) this.position = b.low;
    if (this.position >= b.high) return;
    await readSlice(this.options.kafka, {
      topic: this.options.topic,
      partition: 0,
      partitions: 1,
      from: this.position,
      toExclusive: b.high,
      groupPrefix: 'breachline-audit-writer',
      onMessages: async (messages) => {
        for (const m of messages) this.fold(decodeAuditValue(m), BigInt(m.offset));
      },
    });
    this.position = b.high;
  }

  /**
   * Only a record that continues its incident's chain moves the head; junk and forks are verify's
   * business. A forged record that links correctly does move it, and the real event with that seq
   * then meets it as a conflict instead of being skipped.
   */
  private fold(value: unknown, offset: bigint): void {
    const cp = parseCheckpoint(value);
    if (cp.ok) {
      this.foldCheckpoint(cp.checkpoint, offset);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const v = value as { incidentId?: unknown; seq?: unknown; hash?: unknown; prevHash?: unknown; type?: unknown };
    if (typeof v.incidentId !== 'string' || typeof v.seq !== 'number' || typeof v.hash !== 'string' || typeof v.prevHash !== 'string') return;
    const chain = this.chain(v.incidentId);
    if (v.seq === chain.seq + 1 && v.prevHash === chain.hash) this.extend(v.incidentId, { hash: v.hash, prevHash: v.prevHash, offset, confirmed: false }, v.seq, v.type);
  }

  private foldCheckpoint(cp: SignedCheckpoint, offset: bigint): void {
    const chain = this.chain(cp.incidentId);
    if (cp.lastSeq <= chain.seq && chain.records.get(cp.lastSeq)?.hash === cp.lastHash) chain.signedSeq = Math.max(chain.signedSeq, cp.lastSeq);
    this.firstCheckpoint ??= offset;
    this.lastCheckpoint = { offset, signature: cp.signature };
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer === undefined) {
      const producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }
}

export { AuditChainClosedError, AuditConflictError, AuditSequenceGapError } from './audit-errors';
