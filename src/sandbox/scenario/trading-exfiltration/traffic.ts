import type { Producer } from 'kafkajs';
import { recordBatchSize, type BatchRecord } from './batch-size';
import { clientAt, orderJson, seededRandom } from './orders';

/**
 * The order traffic of the scenario: per partition, records whose timestamps spread evenly over
 * the scenario's span, cut into produce batches. Batches are cut at the exfiltration start and at
 * the start of the tail (traffic after the attacker stopped), so the attacker's window begins and
 * ends on batch boundaries: every batch it was served lies wholly inside the window, and "served"
 * equals "read" record for record and byte for byte.
 */

/** How the traffic is shaped. */
export interface TrafficShape {
  partitions: number;
  recordsPerPartition: number;
  /** Records per produce batch (per partition). */
  batchSize: number;
  /** Epoch ms: the first record's slot starts here. */
  start: number;
  /** Epoch ms: every record is before this. */
  end: number;
  /** Epoch ms: the attacker reads from the first record at or after this. */
  exfiltrationStart: number;
  /** Epoch ms: records at or after this are produced after the attacker stopped. */
  tailStart: number;
  /** Size of the client pool the orders are drawn from. */
  clients: number;
  seed: number;
}

/** One partition's plan: record timestamps are a formula, batches a list of [from, to) indexes. */
export interface PartitionPlan {
  partition: number;
  /** Index of the first record the attacker reads. */
  windowFrom: number;
  /** Index of the first tail record (= records when there is no tail). */
  tailFrom: number;
  batches: Array<{ from: number; to: number }>;
}

/** Offsets, bytes and subjects observed while producing, per partition. */
export interface ProducedPartition {
  partition: number;
  /** Offset of the record at index 0. */
  baseOffset: bigint;
  /** Bytes of each produced batch, by batch index. */
  batchBytes: number[];
  /** Data subjects (client account ids) of the records in the attacker's window. */
  windowSubjects: Set<string>;
}

/** Timestamp of record `index` of `partition`: evenly spaced, a per-partition phase apart. */
export function recordTimestamp(shape: TrafficShape, partition: number, index: number): number {
  const phase = ((partition * 0.618033988749895) % 1) * 0.999;
  return shape.start + Math.floor(((index + phase) / shape.recordsPerPartition) * (shape.end - shape.start));
}

/** First record index whose timestamp is at or after `at` (records are in time order). */
function firstIndexAtOrAfter(shape: TrafficShape, partition: number, at: number): number {
  let lo = 0;
  let hi = shape.recordsPerPartition;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (recordTimestamp(shape, partition, mid) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Plans every partition's batches with cuts at the window's edges. */
export function planPartitions(shape: TrafficShape): PartitionPlan[] {
  const plans: PartitionPlan[] = [];
  for (let p = 0; p < shape.partitions; p++) {
    const windowFrom = firstIndexAtOrAfter(shape, p, shape.exfiltrationStart);
    const tailFrom = Math.max(windowFrom, firstIndexAtOrAfter(shape, p, shape.tailStart));
    const cuts = new Set<number>([0, windowFrom, tailFrom, shape.recordsPerPartition]);
    for (let i = shape.batchSize; i < shape.recordsPerPartition; i += shape.batchSize) cuts.add(i);
    const points = [...cuts].sort((a, b) => a - b);
    const batches: PartitionPlan['batches'] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const from = points[i] as number;
      const to = points[i + 1] as number;
      if (to > from) batches.push({ from, to });
    }
    plans.push({ partition: p, windowFrom, tailFrom, batches });
  }
  return plans;
}

/** Generates a partition's records in order; the generator's state is the partition's own. */
class PartitionGenerator {
  private readonly random: () => number;
  constructor(
    private readonly shape: TrafficShape,
    private readonly partition: number,
  ) {
    this.random = seededRandom(shape.seed * 7919 + partition * 104729 + 1);
  }

  records(from: number, to: number): Array<BatchRecord & { subject: string }> {
    const out: Array<BatchRecord & { subject: string }> = [];
    for (let i = from; i < to; i++) {
      const client = clientAt(Math.floor(this.random() * this.shape.clients));
      const timestamp = recordTimestamp(this.shape, this.partition, i);
      const value = Buffer.from(orderJson(this.random, client, timestamp, this.partition * this.shape.recordsPerPartition + i));
      out.push({ key: Buffer.from(client.accountId), value, timestamp, subject: client.accountId });
    }
    return out;
  }
}

/** Produces the traffic in two phases (before the attack, and the tail after it), batch by batch. */
export class TrafficWriter {
  private readonly generators: PartitionGenerator[];
  readonly produced: ProducedPartition[];

  constructor(
    private readonly shape: TrafficShape,
    readonly plans: readonly PartitionPlan[],
    private readonly topic: string,
    /** Records per produce request, across partitions (keeps requests a sensible size). */
    private readonly recordsPerRequest = 20_000,
  ) {
    this.generators = plans.map((p) => new PartitionGenerator(shape, p.partition));
    this.produced = plans.map((p) => ({ partition: p.partition, baseOffset: -1n, batchBytes: [], windowSubjects: new Set<string>() }));
  }

  /** Produces every batch that lies before (phase `main`) or from (phase `tail`) the tail start. */
  async produce(producer: Producer, phase: 'main' | 'tail'): Promise<void> {
    const rounds = Math.max(...this.plans.map((p) => p.batches.length));
    for (let round = 0; round < rounds; round++) {
      let request: Array<{ partition: number; messages: Array<{ key: Buffer | null; value: Buffer | null; timestamp: string; partition: number }> }> = [];
      let pending = 0;
      const flush = async (): Promise<void> => {
        if (request.length === 0) return;
        const sent = request;
        request = [];
        pending = 0;
        const meta = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: this.topic, messages: sent.flatMap((s) => s.messages) }] });
        for (const m of meta) {
          const s = sent.find((x) => x.partition === m.partition);
          const produced = this.produced[m.partition];
          const plan = this.plans[m.partition];
          if (s === undefined || produced === undefined || plan === undefined || m.baseOffset === undefined) continue;
          const batch = plan.batches[round] as { from: number };
          // Offsets are contiguous within a partition, so one base offset places every record.
          const implied = BigInt(m.baseOffset) - BigInt(batch.from);
          if (produced.baseOffset < 0n) produced.baseOffset = implied;
          else if (produced.baseOffset !== implied) throw new Error(`${this.topic}-${m.partition}: another producer wrote between the scenario's batches`);
        }
      };
      for (const plan of this.plans) {
        const batch = plan.batches[round];
        if (batch === undefined) continue;
        const inTail = batch.from >= plan.tailFrom;
        if ((phase === 'tail') !== inTail) continue;
        const records = (this.generators[plan.partition] as PartitionGenerator).records(batch.from, batch.to);
        const produced = this.produced[plan.partition] as ProducedPartition;
        produced.batchBytes[round] = recordBatchSize(records);
        if (batch.from >= plan.windowFrom && batch.to <= plan.tailFrom) for (const r of records) produced.windowSubjects.add(r.subject);
        request.push({
          partition: plan.partition,
          messages: records.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp), partition: plan.partition })),
        });
        pending += records.length;
        if (pending >= this.recordsPerRequest) await flush();
      }
      await flush();
    }
  }
}

/** Ground truth for one partition: the records the broker served to the reading principal. */
export interface GroundTruthPartition {
  partition: number;
  from: string;
  /** Inclusive. */
  to: string;
  records: string;
  bytes: string;
  firstTs: number;
  lastTs: number;
}

/** The attacker's window over every planned partition: ranges, records, batch bytes, totals and data subjects. */
export interface WindowGroundTruth {
  partitions: GroundTruthPartition[];
  totals: { records: string; bytes: string };
  dataSubjects: number;
}

/**
 * What a reader of each plan's window (`windowFrom` up to `tailFrom`) was served, from what the
 * writer produced. `bytes` are record-batch bytes as served (the window starts and ends on batch
 * boundaries), the definition the broker's fetch access records use.
 */
export function windowGroundTruth(shape: TrafficShape, plans: readonly PartitionPlan[], writer: TrafficWriter): WindowGroundTruth {
  const partitions: GroundTruthPartition[] = [];
  const subjects = new Set<string>();
  for (const plan of plans) {
    const produced = writer.produced[plan.partition];
    if (plan.tailFrom <= plan.windowFrom || produced === undefined) continue;
    let bytes = 0;
    plan.batches.forEach((b, i) => {
      if (b.from >= plan.windowFrom && b.to <= plan.tailFrom) bytes += produced.batchBytes[i] ?? 0;
    });
    for (const s of produced.windowSubjects) subjects.add(s);
    partitions.push({
      partition: plan.partition,
      from: (produced.baseOffset + BigInt(plan.windowFrom)).toString(),
      to: (produced.baseOffset + BigInt(plan.tailFrom - 1)).toString(),
      records: String(plan.tailFrom - plan.windowFrom),
      bytes: String(bytes),
      firstTs: recordTimestamp(shape, plan.partition, plan.windowFrom),
      lastTs: recordTimestamp(shape, plan.partition, plan.tailFrom - 1),
    });
  }
  return {
    partitions,
    totals: {
      records: partitions.reduce((n, p) => n + BigInt(p.records), 0n).toString(),
      bytes: partitions.reduce((n, p) => n + BigInt(p.bytes), 0n).toString(),
    },
    dataSubjects: subjects.size,
  };
}
