import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads an exact offset slice of one partition with a kafkajs consumer. kafkajs has no manual
 * assignment, so the consumer joins a throw-away group (never committing), pauses every other
 * partition of the topic and seeks to the first offset. Delivery is strictly increasing: a batch
 * delivered again after a rebalance or a seek is filtered against the next expected offset, so
 * `onMessages` never sees an offset twice or out of order.
 */

/** The log bounds of one partition. */
export interface PartitionBounds {
  partition: number;
  /** Log start offset (the first offset still stored). */
  low: bigint;
  /** High watermark (one past the last offset). */
  high: bigint;
}

/** Bounds of every partition of `topic`, in partition order. */
export async function topicBounds(admin: Admin, topic: string): Promise<PartitionBounds[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** What {@link readSlice} reads and where the records go. */
export interface SliceRequest {
  topic: string;
  partition: number;
  /** Partitions of the topic (the others are paused). */
  partitions: number;
  /** First offset to deliver. */
  from: bigint;
  /** One past the last offset to deliver (usually a high watermark read beforehand). */
  toExclusive: bigint;
  /** Receives each fetched batch's records inside the slice, in offset order. Awaited: back-pressure. */
  onMessages: (messages: KafkaMessage[]) => Promise<void>;
  /** Bounds each fetch, so a partition of large records cannot blow up memory. @default 1 MiB */
  maxBytesPerPartition?: number;
  /** Consumer group prefix; the orchestrator needs READ on groups with this prefix. @default 'breachline-reader' */
  groupPrefix?: string;
  /** Stops the read (rejecting with the signal's reason) between batches. */
  signal?: AbortSignal;
  /**
   * How long the read may make no progress before the partition's bounds are checked. kafkajs
   * answers an out-of-range fetch by silently jumping to the log end, which would otherwise wait
   * forever for records that aged out. @default 5000
   */
  stallCheckMs?: number;
}

/** The slice cannot be read completely: part of it is no longer (or not yet) in the log. */
export class SliceUnavailableError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly next: bigint,
    readonly bounds: { low: bigint; high: bigint },
  ) {
    super(`${topic}/${partition}: offset ${next} is outside the log [${bounds.low}, ${bounds.high})`);
    this.name = 'SliceUnavailableError';
  }
}

/** Delivers every record of `[from, toExclusive)` of one partition, then disconnects. */
export async function readSlice(kafka: Kafka, request: SliceRequest): Promise<void> {
  const { topic, partition, from, toExclusive } = request;
  if (from >= toExclusive) return;
  const consumer = kafka.consumer({
    groupId: `${request.groupPrefix ?? 'breachline-reader'}-${randomUUID()}`,
    maxBytesPerPartition: request.maxBytesPerPartition ?? 1024 * 1024,
    maxBytes: (request.maxBytesPerPartition ?? 1024 * 1024) * 2,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    rebalanceTimeout: 30_000,
  });
  let next = from;
  let settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Attach a handler now: the read may fail (a crash while connecting) before it is awaited.
  finished.catch(() => undefined);
  let done = false;
  const finish = (err?: unknown): void => {
    if (done) return;
    done = true;
    if (err === undefined) settle?.resolve();
    else settle?.reject(err);
  };
  const onAbort = (): void => finish(request.signal?.reason ?? new Error('read aborted'));
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const removeCrash = consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) finish(event.payload.error);
  });
  let lastChecked = next;
  const watchdog = setInterval(() => {
    if (next !== lastChecked) {
      lastChecked = next;
      return;
    }
    void checkBounds(kafka, topic, partition).then(
      (b) => {
        if (b !== undefined && !done && next === lastChecked && (b.low > next || b.high <= next)) finish(new SliceUnavailableError(topic, partition, next, b));
      },
      () => undefined,
    );
  }, request.stallCheckMs ?? 5000);
  watchdog.unref();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        if (done || batch.partition !== partition) return;
        const fresh = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= next && offset < toExclusive;
        });
        if (fresh.length > 0) {
          try {
            await request.onMessages(fresh);
          } catch (err) {
            finish(err);
            return;
          }
          next = BigInt((fresh[fresh.length - 1] as KafkaMessage).offset) + 1n;
        }
        // Offsets may have holes (control records); the batch's last offset still says how far we got.
        const last = batch.isEmpty() ? -1n : BigInt(batch.lastOffset());
        if (next >= toExclusive || last >= toExclusive - 1n) finish();
        await heartbeat();
      },
    });
    const others = Array.from({ length: request.partitions }, (_, p) => p).filter((p) => p !== partition);
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    consumer.seek({ topic, partition, offset: from.toString() });
    await finished;
  } finally {
    clearInterval(watchdog);
    request.signal?.removeEventListener('abort', onAbort);
    removeCrash();
    done = true;
    await consumer.disconnect().catch(() => undefined);
  }
}

async function checkBounds(kafka: Kafka, topic: string, partition: number): Promise<PartitionBounds | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await topicBounds(admin, topic)).find((b) => b.partition === partition);
  } finally {
    await admin.disconnect();
  }
}
