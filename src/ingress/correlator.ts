import { setMaxListeners } from 'node:events';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../log/logger';
import { readAlertRecord } from './alert-log';
import { IngressError } from './errors';
import type { IncidentGateway } from './incidents';
import type { BreachlineMetrics } from './metrics';
import type { RunbookCatalog } from './runbooks';

/** Options of {@link startCorrelator}. */
export interface CorrelatorOptions {
  kafka: Kafka;
  topic: string;
  /** Consumer group; every correlator of a deployment uses the same one. @default 'breachline-correlator' */
  groupId?: string;
  /** Hands an alert to Temporal; normally the coalescing gateway shared with the HTTP path. */
  gateway: IncidentGateway;
  catalog: RunbookCatalog;
  logger: Logger;
  metrics: BreachlineMetrics;
  /** First wait after Temporal failed, doubled per failure up to `maxBackoffMs`. @default 200 */
  initialBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /** Partitions handled at once by this process. @default 4 */
  concurrency?: number;
  /** Records of one partition handed to Temporal at once. @default 64 */
  inFlightPerPartition?: number;
}

/** A running correlator. */
export interface Correlator {
  /** Leaves the group; records not yet accepted by Temporal stay uncommitted for the next owner. */
  stop(): Promise<void>;
}

/**
 * Drains the alerts topic into Temporal (issue 15, item 3). Each fetched batch of a partition is
 * handed to the gateway record by record, up to `inFlightPerPartition` at once (the coalescing
 * gateway turns one fingerprint's records into one start and a few batch signals); a record Temporal cannot take yet
 * is retried with exponential backoff and jitter for as long as this process owns the partition.
 * The batch's offset is committed only when every record in it was accepted (or refused for a
 * reason no retry fixes), so a crash or a rebalance re-delivers the rest: idempotent, because the
 * workflow id comes from the fingerprint and the workflow records each SIEM alert id once.
 */
export async function startCorrelator(options: CorrelatorOptions): Promise<Correlator> {
  const log = options.logger;
  const initial = options.initialBackoffMs ?? 200;
  const ceiling = options.maxBackoffMs ?? 5_000;
  const inFlight = Math.max(1, options.inFlightPerPartition ?? 64);
  const stopping = new AbortController();
  // Every record waiting out a backoff listens for the stop: thousands during an outage, by design.
  setMaxListeners(0, stopping.signal);
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId ?? 'breachline-correlator',
    // In a storm the broker holds each fetch until 64 KiB or 20 ms have gathered: tens of fetches a
    // second instead of one per few records, which spares this process and the brokers CPU that the
    // ingress answering the storm needs; an alert waits at most 20 ms more to reach Temporal.
    maxWaitTimeInMs: 20,
    minBytes: 64 * 1024,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });

  /** Sleeps, or stops sleeping as soon as the correlator stops. */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  /** True once the record is settled (accepted, or refused for good); false when we must let go. */
  const correlate = async (message: KafkaMessage, payload: EachBatchPayload): Promise<boolean> => {
    const record = readAlertRecord(message.value);
    if (record === undefined) {
      log.error({ topic: options.topic, partition: payload.batch.partition, offset: message.offset }, 'unreadable alert record skipped');
      options.metrics.correlated.inc({ outcome: 'refused' });
      return true;
    }
    const { alert } = record;
    for (let attempt = 0; ; attempt++) {
      if (!payload.isRunning() || payload.isStale() || stopping.signal.aborted) return false;
      try {
        const accepted = await options.gateway.accept(alert, options.catalog.choose(alert));
        options.metrics.correlated.inc({ outcome: 'accepted' });
        if (!accepted.duplicate) options.metrics.incidentsOpened.inc({ source: alert.source });
        return true;
      } catch (error) {
        if (error instanceof IngressError && error.status < 500) {
          // A runbook removed since the alert was accepted, say: a retry cannot change the answer.
          log.error({ alertId: alert.alertId, source: alert.source, code: error.code }, 'alert record refused by the correlator');
          options.metrics.correlated.inc({ outcome: 'refused' });
          return true;
        }
        options.metrics.correlated.inc({ outcome: 'retried' });
        if (attempt === 0) log.warn({ alertId: alert.alertId, source: alert.source, code: error instanceof IngressError ? error.code : 'internal' }, 'Temporal did not take the alert; retrying');
        await payload.heartbeat().catch(() => undefined);
        await pause(Math.random() * Math.min(ceiling, initial * 2 ** Math.min(attempt, 16)));
      }
    }
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency ?? 4,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (batch.messages.length === 0) return;
      // Bounded: after an outage a backlog must not reach Temporal as one wave of thousands of calls.
      const messages = batch.messages;
      let next = 0;
      let letGo = false;
      const lane = async (): Promise<void> => {
        while (next < messages.length && !letGo) {
          const message = messages[next++] as KafkaMessage;
          if (!(await correlate(message, payload))) letGo = true;
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, messages.length) }, lane));
      if (letGo) return;
      const last = batch.messages[batch.messages.length - 1] as KafkaMessage;
      payload.resolveOffset(last.offset);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
    },
  });

  return {
    async stop() {
      stopping.abort();
      await consumer.disconnect();
    },
  };
}
