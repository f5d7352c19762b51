import { readFileSync } from 'node:fs';
import { createKafka, type KafkaConnection } from '../../../src/kafka/client';

/**
 * Does what a log shipper does with a Vault file audit device's log: every line becomes the value
 * of one record of `topic` (created with two partitions), request/response pairs alternating
 * between them as a keyless shipper spreads them, the shipper's increasing clock as timestamps
 * (from the first line's time). Returns the first line's time (epoch ms).
 */
export async function shipAuditLog(connection: KafkaConnection, file: string, topic: string, options: { noiseBefore?: number } = {}): Promise<number> {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const first = Date.parse((JSON.parse(lines[0] as string) as { time: string }).time);
  const k = createKafka(connection, { clientId: 'audit-shipper' });
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();
  const producer = k.producer();
  await producer.connect();
  try {
    // A record that is no audit line, `noiseBefore` ms before the log: what a bounded read skips.
    if (options.noiseBefore !== undefined) await producer.send({ topic, messages: [{ partition: 1, value: 'not an audit line', timestamp: String(first - options.noiseBefore) }] });
    await producer.send({ topic, messages: lines.map((value, i) => ({ partition: (i >> 1) % 2, value, timestamp: String(first + i) })) });
  } finally {
    await producer.disconnect();
  }
  return first;
}
