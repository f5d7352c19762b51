import type { Admin, Producer } from 'kafkajs';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { createKafka, type KafkaConnection } from './client';

/**
 * The breaker control topic: downstream systems (sink connectors, dashboards) watch it to learn
 * that a breaker opened or closed, keyed by breaker name so the latest record per key is the
 * breaker's state. The topic is created on first use, never implicitly by a produce.
 */

/** One control record. */
export interface ControlEvent {
  breaker: string;
  state: 'open' | 'closed';
  incidentId: string;
  at: string;
}

/** Publishes control events; `close()` releases the connections. */
export interface ControlPublisher {
  publish(topic: string, events: readonly ControlEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** A {@link ControlPublisher} over kafkajs, as the orchestrator principal. */
export function createControlPublisher(connection: KafkaConnection, options: { logger?: Logger; clientId?: string } = {}): ControlPublisher {
  const kafka = createKafka(connection, { clientId: options.clientId ?? 'breachline-control', logger: options.logger ?? silentLogger });
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  const ensured = new Set<string>();

  const ensureTopic = async (topic: string): Promise<void> => {
    if (ensured.has(topic)) return;
    if (!admin) {
      admin = kafka.admin();
      await admin.connect();
    }
    const existing = await admin.listTopics();
    // One partition keeps every breaker's history in order.
    if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    ensured.add(topic);
  };

  return {
    async publish(topic, events) {
      if (events.length === 0) return;
      await ensureTopic(topic);
      if (!producer) {
        producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
      }
      await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.breaker, value: JSON.stringify(e) })) });
    },
    async close() {
      const [a, p] = [admin, producer];
      admin = producer = undefined;
      await Promise.all([a?.disconnect(), p?.disconnect()]);
    },
  };
}
