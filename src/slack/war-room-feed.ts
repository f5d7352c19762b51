import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { decodeAuditValue } from '../audit/audit-reader';
import { EVENT_TYPES, type DomainEvent } from '../domain/events';
import type { WarRoom } from './war-room';

/** What the tail hands events to: the war room, or the console's live feed (issue 16). */
export type AuditEventSink = Pick<WarRoom, 'accept' | 'close'>;

const KNOWN = new Set<string>(EVENT_TYPES);

/** A record value that is a domain event (the audit topic also carries signed checkpoints). */
export function auditEvent(value: unknown): DomainEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<DomainEvent>;
  if (typeof v.type !== 'string' || !KNOWN.has(v.type) || typeof v.seq !== 'number' || typeof v.incidentId !== 'string') return undefined;
  return v as DomainEvent;
}

/**
 * Tails the audit topic into the war room. It reads the topic from its beginning at every start
 * (a fresh group, nothing committed), because a card is a fold of all of an incident's events;
 * the card store keeps the restart from posting a second card.
 */
export async function startWarRoomFeed(kafka: Kafka, auditTopic: string, room: AuditEventSink, options: { pollMs?: number; onError?: (err: unknown) => void } = {}): Promise<{ stop(): Promise<void> }> {
  let stopped = false;
  let consumer: Consumer | undefined;
  // The incident creates the audit topic with its immutable settings on its first events: never
  // auto-create it here (it would get the broker's defaults), wait for it instead.
  const admin = kafka.admin();
  const tail = async (): Promise<void> => {
    await admin.connect();
    try {
      while (!stopped && !(await admin.listTopics()).includes(auditTopic)) await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
    } finally {
      await admin.disconnect();
    }
    if (stopped) return;
    consumer = kafka.consumer({ groupId: `breachline-war-room-${randomUUID()}`, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
    await consumer.connect();
    await consumer.subscribe({ topic: auditTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const event = auditEvent(decodeAuditValue(message));
        if (event !== undefined) room.accept(event);
      },
    });
  };
  // The war room is a view: if it cannot tail the topic, the incidents go on; the failure is reported.
  const started = tail().catch((err: unknown) => options.onError?.(err));
  return {
    async stop() {
      stopped = true;
      room.close();
      await started;
      await consumer?.disconnect();
    },
  };
}
