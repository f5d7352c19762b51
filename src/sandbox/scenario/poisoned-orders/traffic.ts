import type { Producer } from 'kafkajs';
import { recordBatchSize, type BatchRecord } from '../trading-exfiltration/batch-size';
import { clientAt, orderJson, seededRandom } from '../trading-exfiltration/orders';

/**
 * The poisoned-orders traffic: rounds of produce requests on every partition of `orders`, in a
 * fixed order, so three producers' batches interleave deterministically:
 * - `order-service` (no idempotence: producer id -1) — the legitimate order flow, every round;
 * - `order-gateway` (idempotent: its own producer id) — a second legitimate producer, every
 *   other round per partition, whose records forensics must NOT count;
 * - the rogue test account (idempotent) — forged trades from round `forgeFrom` on, on all but the
 *   last partition, sometimes two requests back to back (adjacent ranges that merge).
 * Each `send` names one partition, so it is one request and one batch; the offsets it returns are
 * the ground truth, taken from the producers' answers, not from the broker's own records.
 */

/** Who sends a batch. */
export type Sender = 'order-service' | 'order-gateway' | 'rogue';

/** One planned produce request. */
export interface PlannedSend {
  sender: Sender;
  partition: number;
  records: number;
}

/** The traffic shape. */
export interface PoisonShape {
  partitions: number;
  rounds: number;
  /** First round with forged trades. */
  forgeFrom: number;
  /** Epoch ms of the first record; records are 1 s apart. */
  start: number;
  seed: number;
}

/** A produced batch: where it landed and its size on the wire (v2 batch, 12-byte prefix included). */
export interface ProducedBatch extends PlannedSend {
  baseOffset: bigint;
  bytes: number;
}

/** The sends in order: round by round, partition by partition. */
export function planSends(shape: PoisonShape): PlannedSend[] {
  const sends: PlannedSend[] = [];
  for (let round = 0; round < shape.rounds; round++) {
    for (let partition = 0; partition < shape.partitions; partition++) {
      sends.push({ sender: 'order-service', partition, records: 5 });
      const forging = round >= shape.forgeFrom && partition < shape.partitions - 1 && (round + partition) % 3 !== 0;
      if (forging) sends.push({ sender: 'rogue', partition, records: 2 });
      // Now and then the rogue sends twice in a row: two requests, one contiguous forged range.
      if (forging && (round + partition) % 4 === 1) sends.push({ sender: 'rogue', partition, records: 1 });
      if ((round + partition) % 2 === 0) sends.push({ sender: 'order-gateway', partition, records: 3 });
    }
  }
  return sends;
}

/** Produces the plan in order with the producer of each sender; returns every batch as produced. */
export async function produceSends(shape: PoisonShape, sends: readonly PlannedSend[], producers: Record<Sender, Producer>, topic: string): Promise<ProducedBatch[]> {
  const random = seededRandom(shape.seed);
  let clock = shape.start;
  let sequence = 0;
  const out: ProducedBatch[] = [];
  for (const send of sends) {
    const records: BatchRecord[] = [];
    for (let i = 0; i < send.records; i++) {
      const client = clientAt(Math.floor(random() * 400));
      const timestamp = clock;
      clock += 1_000;
      const order = JSON.parse(orderJson(random, client, timestamp, sequence++)) as Record<string, unknown>;
      // Forged trades look like orders, but for sizes no desk would place.
      if (send.sender === 'rogue') order.quantity = 250_000 + Math.floor(random() * 100_000);
      records.push({ key: Buffer.from(client.accountId), value: Buffer.from(JSON.stringify(order)), timestamp });
    }
    const [meta] = await producers[send.sender].send({
      topic,
      acks: -1,
      messages: records.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp), partition: send.partition })),
    });
    if (meta === undefined || meta.partition !== send.partition || meta.baseOffset === undefined) throw new Error(`${send.sender}: no base offset for ${topic}-${send.partition}`);
    out.push({ ...send, baseOffset: BigInt(meta.baseOffset), bytes: recordBatchSize(records) });
  }
  return out;
}

/** One forged range of a partition (`to` inclusive), merged where the rogue's batches are adjacent. */
export interface ForgedRange {
  from: string;
  to: string;
  records: string;
  bytes: string;
}

/** The rogue's batches as per-partition ranges, adjacent batches merged (as forensics reports them). */
export function forgedRanges(batches: readonly ProducedBatch[]): Map<number, ForgedRange[]> {
  const out = new Map<number, Array<{ from: bigint; to: bigint; bytes: number }>>();
  const rogue = batches.filter((b) => b.sender === 'rogue').sort((a, b) => a.partition - b.partition || (a.baseOffset < b.baseOffset ? -1 : 1));
  for (const b of rogue) {
    const list = out.get(b.partition) ?? [];
    const last = list[list.length - 1];
    const end = b.baseOffset + BigInt(b.records);
    if (last !== undefined && last.to === b.baseOffset) {
      last.to = end;
      last.bytes += b.bytes;
    } else list.push({ from: b.baseOffset, to: end, bytes: b.bytes });
    out.set(b.partition, list);
  }
  return new Map(
    [...out].map(([p, list]) => [p, list.map((r) => ({ from: r.from.toString(), to: (r.to - 1n).toString(), records: (r.to - r.from).toString(), bytes: String(r.bytes) }))]),
  );
}
