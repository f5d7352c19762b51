import type { Kafka, Producer } from 'kafkajs';
import { GENESIS_HASH, sealEvent, type SealedEvent } from '../domain/audit-chain';
import type { DomainEvent } from '../domain/events';
import type { Logger } from '../log/logger';
import { decodeAuditValue } from './audit-reader';
import { ensureImmutableTopic, type ImmutableTopicState } from './immutable-topic';
import { readSlice, topicBounds } from './topic-reader';

/**
 * The single writer of the audit topic (design §3).
 *
 * Layout: ONE partition. The whole topic is then one ordered log, `verify` walks it front to back
 * with no cross-partition merge, and "the incident's tail" is a question about one log. The
 * audit volume is tens of events per incident, far below what one partition carries. Records are
 * keyed by incidentId anyway, so the topic could later be given more partitions (each incident's
 * chain stays within one partition by key) without changing readers.
 *
 * Idempotence across retries and crashed workers: before appending, the writer catches up with
 * the topic (from the offset it has read so far; a fresh process reads from the start) and knows
 * each incident's last seq and hash. Events whose seq is already on the topic are skipped, the
 * next one is sealed onto the stored tail, and a seq beyond the next is refused (it would leave a
 * gap). Appends within a process are serialised. Two processes appending the SAME incident at the
 * same instant are not expected: the incident workflow is the single writer of its events and
 * runs one append at a time; `verify` would report such a race as a duplicate.
 */

/** Options of {@link AuditWriter}. */
export interface AuditWriterOptions {
  kafka: Kafka;
  topic: string;
  /** The orchestrator principal, the only one allowed to WRITE, e.g. `User:breachline`. */
  writer: string;
  logger: Logger;
}

/** Raised for an append that would leave a gap; the caller has lost events. */
export class AuditSequenceGapError extends Error {
  constructor(
    readonly incidentId: string,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`audit append for incident ${incidentId}: expected seq ${expected}, got ${got}`);
    this.name = 'AuditSequenceGapError';
  }
}

interface Head {
  seq: number;
  hash: string;
}

/** Appends sealed events to the audit topic exactly once. */
export class AuditWriter {
  private readonly heads = new Map<string, Head>();
  /** Next topic offset not yet folded into `heads`. */
  private position = -1n;
  private producer: Producer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Whether this process has ensured the topic (appends work even if nobody called ensureTopic). */
  private ensured = false;

  constructor(private readonly options: AuditWriterOptions) {}

  /** Creates the audit topic (1 partition) with immutable configs and ACLs; idempotent. */
  async ensureTopic(): Promise<ImmutableTopicState> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const state = await ensureImmutableTopic(admin, { topic: this.options.topic, partitions: 1, writer: this.options.writer }, this.options.logger);
      this.ensured = true;
      return state;
    } finally {
      await admin.disconnect();
    }
  }

  /** Seals and produces the events not yet on the topic, in the order given. */
  append(events: readonly DomainEvent[]): Promise<{ appended: number; skipped: number }> {
    const run = this.queue.then(() => this.appendNow(events));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Disconnects the producer. */
  async close(): Promise<void> {
    await this.queue;
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  private async appendNow(events: readonly DomainEvent[]): Promise<{ appended: number; skipped: number }> {
    if (!this.ensured) await this.ensureTopic();
    await this.catchUp();
    const sealed: SealedEvent[] = [];
    const tails = new Map<string, Head>();
    let skipped = 0;
    for (const event of events) {
      const head = tails.get(event.incidentId) ?? this.heads.get(event.incidentId) ?? { seq: 0, hash: GENESIS_HASH };
      if (event.seq <= head.seq) {
        skipped++;
        continue;
      }
      if (event.seq !== head.seq + 1) throw new AuditSequenceGapError(event.incidentId, head.seq + 1, event.seq);
      const s = sealEvent(event, head.hash);
      sealed.push(s);
      tails.set(event.incidentId, { seq: s.seq, hash: s.hash });
    }
    if (sealed.length === 0) return { appended: 0, skipped };
    const producer = await this.connectedProducer();
    const [meta] = await producer.send({
      topic: this.options.topic,
      acks: -1,
      messages: sealed.map((s) => ({ key: s.incidentId, value: JSON.stringify(s) })),
    });
    for (const [id, head] of tails) this.heads.set(id, head);
    // If nobody else wrote in between, our own records need not be read back.
    if (meta !== undefined && meta.baseOffset !== undefined && BigInt(meta.baseOffset) === this.position) {
      this.position += BigInt(sealed.length);
    }
    this.options.logger.debug({ appended: sealed.length, skipped }, 'audit events appended');
    return { appended: sealed.length, skipped };
  }

  /** Folds every record between the last read position and the end of the topic into `heads`. */
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
        for (const m of messages) this.fold(decodeAuditValue(m));
      },
    });
    this.position = b.high;
  }

  /** Only a record that continues its incident's chain moves the head; anything else is verify's business. */
  private fold(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const v = value as { incidentId?: unknown; seq?: unknown; hash?: unknown };
    if (typeof v.incidentId !== 'string' || typeof v.seq !== 'number' || typeof v.hash !== 'string') return;
    const head = this.heads.get(v.incidentId) ?? { seq: 0, hash: GENESIS_HASH };
    if (v.seq === head.seq + 1) this.heads.set(v.incidentId, { seq: v.seq, hash: v.hash });
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
