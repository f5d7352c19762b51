import type { Admin, Producer } from 'kafkajs';
import type { SecretsPort } from '../../../vault/port';

/**
 * The `orders` schema with its personal-data tags, published where product code can read it.
 * Kafka topic configs only take Kafka's own keys, so the schema goes to Vault KV
 * (`schemas/orders`) and, for code that holds only a Kafka connection (forensics), to the
 * `schemas` topic as a record keyed by the topic name (latest record wins; retention forever).
 */

/** A field holding personal data, by JSON path, and its GDPR-relevant category. */
export interface PiiFieldTag {
  path: string;
  category: string;
}

/** The published schema of a topic. */
export interface TopicSchema {
  topic: string;
  format: 'json';
  version: number;
  piiFields: PiiFieldTag[];
  /** The field that identifies the data subject. */
  dataSubjectKey: string;
}

/** Topic holding schemas keyed by topic name. */
export const SCHEMA_TOPIC = 'schemas';
/** Vault KV path of a topic's schema. */
export const schemaVaultPath = (topic: string): string => `schemas/${topic}`;

/** The orders schema of the trading scenario. */
export const ORDERS_SCHEMA: TopicSchema = {
  topic: 'orders',
  format: 'json',
  version: 1,
  piiFields: [
    { path: 'client.name', category: 'name' },
    { path: 'client.email', category: 'contact' },
    { path: 'client.accountId', category: 'account-identifier' },
  ],
  dataSubjectKey: 'client.accountId',
};

/** Publishes a schema to Vault KV and to the schema topic (created if missing). */
export async function publishSchema(admin: Admin, producer: Producer, secrets: SecretsPort, schema: TopicSchema): Promise<void> {
  await admin.createTopics({
    topics: [{ topic: SCHEMA_TOPIC, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] }],
  });
  await producer.send({ topic: SCHEMA_TOPIC, acks: -1, messages: [{ key: schema.topic, value: JSON.stringify(schema) }] });
  await secrets.writeSecret(schemaVaultPath(schema.topic), { ...schema });
}
