import { createKafka, type KafkaConnection } from '../../../kafka/client';

/**
 * The compromised consumer: kafkajs, authenticated as the stolen service account, reading one
 * topic from a chosen offset per partition up to a chosen end, in one of two styles — committing
 * offsets as a well-behaved group member does, or never committing (an attacker covering tracks).
 * It starts from the latest offset (so nothing is fetched before its seek lands) and seeks.
 */

/** What the attacker is told to read. */
export interface AttackPlan {
  /** The attacker's connection (its own principal). */
  connection: KafkaConnection;
  topic: string;
  groupId: string;
  /** Per partition: first offset to read and the exclusive end (the log end when it ran). */
  ranges: ReadonlyArray<{ partition: number; from: bigint; to: bigint }>;
  commit: boolean;
  /** @default 120000 */
  timeoutMs?: number;
}

/** Per partition what the consumer received: offsets and records. */
export interface AttackResult {
  partitions: Array<{ partition: number; first: bigint | null; last: bigint | null; records: number }>;
}

/** Runs the compromised consumer until every partition's range is read; commits at the end when asked. */
export async function runCompromisedConsumer(plan: AttackPlan): Promise<AttackResult> {
  const kafka = createKafka(plan.connection, { clientId: plan.groupId, overrides: { retry: { retries: 3, initialRetryTime: 100 } } });
  const consumer = kafka.consumer({ groupId: plan.groupId, maxWaitTimeInMs: 100, sessionTimeout: 30_000, heartbeatInterval: 1_000 });
  const seen = new Map<number, { first: bigint | null; last: bigint | null; records: number }>();
  for (const r of plan.ranges) seen.set(r.partition, { first: null, last: null, records: 0 });
  const remaining = new Set(plan.ranges.filter((r) => r.to > r.from).map((r) => r.partition));
  const end = new Map(plan.ranges.map((r) => [r.partition, r.to]));

  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  if (remaining.size === 0) finish();

  await consumer.connect();
  try {
    await consumer.subscribe({ topic: plan.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: plan.commit,
      eachBatch: async ({ batch }) => {
        const s = seen.get(batch.partition);
        if (s === undefined) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (s.first === null) s.first = offset;
          s.last = offset;
          s.records++;
        }
        if (s.last !== null && s.last + 1n >= (end.get(batch.partition) ?? 0n)) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        }
        await Promise.resolve();
      },
    });
    for (const r of plan.ranges) consumer.seek({ topic: plan.topic, partition: r.partition, offset: r.from.toString() });

    const timeoutMs = plan.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the compromised consumer did not finish its reading within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    if (plan.commit) {
      await consumer.commitOffsets(plan.ranges.filter((r) => r.to > r.from).map((r) => ({ topic: plan.topic, partition: r.partition, offset: r.to.toString() })));
    }
  } finally {
    await consumer.disconnect();
  }
  return { partitions: [...seen].map(([partition, s]) => ({ partition, ...s })).sort((a, b) => a.partition - b.partition) };
}
