import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { Config } from '../config/config';
import type { Alert } from '../domain/alert';
import type { BreachlineMetrics } from './metrics';
import { IngressError } from './errors';

/**
 * The durable alerts topic (issue 15, item 3): the ingress appends every alert it has not seen
 * held by an open incident here, with acks=all and the fingerprint as key, and answers 202 only
 * once the brokers acknowledged it. A correlator drains the topic into Temporal; the key keeps one
 * fingerprint's alerts on one partition, so one correlator sees them in order and coalesces them.
 */

/** One record of the alerts topic. Version 1 carries the normalised alert only. */
export interface AlertRecord {
  v: 1;
  alert: Alert;
}

/** Options of {@link createAlertLog}. */
export interface AlertLogOptions {
  kafka: Kafka;
  /** @default 'breachline.alerts' */
  topic?: string;
  /** Partitions the topic is created with when it does not exist. @default 12 */
  partitions?: number;
  /** Longest a request waits for the brokers' acknowledgement before a 503. @default 5000 */
  appendTimeoutMs?: number;
  /** `Retry-After` of that 503, seconds. @default 5 */
  retryAfterSeconds?: number;
  /**
   * How long the first append of a batch waits for others to share its produce request, ms; 0
   * sends what one event-loop turn gathered. A few ms cost each alert little and spare the
   * brokers (and this process) most produce requests of a storm. @default 5
   */
  lingerMs?: number;
  /** A batch this large goes at once, lingering or not. @default 500 */
  maxBatch?: number;
  /** Told how long each acknowledged produce request took, in seconds (the append-latency metric). */
  onAcknowledged?: (seconds: number) => void;
}

/** Appends alerts durably; shared by every request of a process. */
export interface AlertLog {
  readonly topic: string;
  /** Resolves once every in-sync replica holds the record; rejects with a 503 `IngressError`. */
  append(alert: Alert): Promise<void>;
  /** Resolves when the brokers answer for the topic; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  alert: Alert;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Reads a record value written by {@link createAlertLog}; undefined for anything else. */
export function readAlertRecord(value: Buffer | null): AlertRecord | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<AlertRecord>;
    const alert = parsed.alert;
    if (parsed.v !== 1 || typeof alert !== 'object' || alert === null) return undefined;
    if (typeof alert.fingerprint !== 'string' || typeof alert.alertId !== 'string' || typeof alert.source !== 'string') return undefined;
    return { v: 1, alert };
  } catch {
    return undefined;
  }
}

/**
 * Connects a producer and makes sure the topic exists. Appends made within `lingerMs` of the first
 * one (or in the same event-loop turn, with 0) go to the brokers as one produce request (group
 * commit), so a storm costs the brokers a few requests per millisecond rather than one per alert.
 */
export async function createAlertLog(options: AlertLogOptions): Promise<AlertLog> {
  const topic = options.topic ?? 'breachline.alerts';
  const timeoutMs = options.appendTimeoutMs ?? 5_000;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const admin: Admin = options.kafka.admin();
  await admin.connect();
  await ensureTopic(admin, topic, options.partitions ?? 12);
  // Kafka's own (murmur2) partitioner, so other clients writing the topic agree on a key's partition.
  // Not idempotent on purpose: a producer retry that writes a record twice is harmless (the
  // workflow records each SIEM alert id once), and unordered parallel requests keep latency low.
  const producer: Producer = options.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
  await producer.connect();
  let queue: Pending[] = [];
  const lingerMs = Math.max(0, options.lingerMs ?? 5);
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  let lingering: NodeJS.Timeout | NodeJS.Immediate | undefined;

  const unavailable = (): IngressError =>
    new IngressError(503, 'alert_log_unavailable', 'the alerts topic did not acknowledge the alert; nothing was accepted, retry later', undefined, { 'Retry-After': retryAfter });

  const flush = (): void => {
    if (lingering !== undefined) {
      if (lingerMs > 0) clearTimeout(lingering as NodeJS.Timeout);
      else clearImmediate(lingering as NodeJS.Immediate);
      lingering = undefined;
    }
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable()), timeoutMs);
    });
    const sent = performance.now();
    Promise.race([
      producer.send({ topic, acks: -1, timeout: timeoutMs, messages: batch.map((p) => ({ key: p.alert.fingerprint, value: JSON.stringify({ v: 1, alert: p.alert } satisfies AlertRecord) })) }),
      timeout,
    ]).then(
      () => {
        clearTimeout(timer);
        options.onAcknowledged?.((performance.now() - sent) / 1000);
        for (const p of batch) p.resolve();
      },
      () => {
        clearTimeout(timer);
        for (const p of batch) p.reject(unavailable());
      },
    );
  };

  return {
    topic,
    append(alert) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ alert, resolve, reject });
        if (queue.length >= maxBatch) flush();
        else if (lingering === undefined) lingering = lingerMs > 0 ? setTimeout(flush, lingerMs) : setImmediate(flush);
      });
    },
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          admin.fetchTopicMetadata({ topics: [topic] }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), 2_000);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      // Whatever still lingers goes now (its requests get their answer from this send).
      flush();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/** The alerts topic as `config.ingress` describes it, its acknowledgements timed on `metrics`. */
export function createConfiguredAlertLog(kafka: Kafka, ingress: Config['ingress'], metrics: BreachlineMetrics): Promise<AlertLog> {
  return createAlertLog({
    kafka,
    topic: ingress.alertsTopic,
    partitions: ingress.alertsTopicPartitions,
    lingerMs: ingress.appendLingerMs,
    onAcknowledged: (seconds) => metrics.alertAppendDuration.observe(seconds),
  });
}

/** Creates the alerts topic unless it exists (the ingress and a correlator of its own both may come first). */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  // Kept a week: long enough to outlast any Temporal outage; the workflows are the record after that.
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, configEntries: [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }] }] });
}
