import { spawn, type ChildProcess } from 'node:child_process';
import { quietLogger, quietRuntime } from '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { PlaybookDeps } from '../../activities';
import type { Alert } from '../../src/domain/alert';
import type { KafkaConnection } from '../../src/kafka/client';
import { silentLogger } from '../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { start as startSlack, type RunningSlackSandbox } from '../../src/sandbox/slack';
import { start as startTemporal, type RunningTemporalSandbox } from '../../src/sandbox/temporal';
import { start as startVault, type RunningVaultSandbox } from '../../src/sandbox/vault';
import { createWebConversationPort } from '../../src/slack';
import { VaultPayloadCodec } from '../../src/temporal/payload-codec';
import { createVaultSecrets, type SecretsPort } from '../../src/vault';
import { isChunk, parseChunk } from '../../src/audit/evidence-chunk';
import { readSlice, topicBounds } from '../../src/audit/topic-reader';

/** Repository root. */
export const ROOT = join(__dirname, '..', '..');

/** Every sandbox, started for one test file, and clients on them. */
export interface Sandboxes {
  temporal: RunningTemporalSandbox;
  kafka: RunningKafkaSandbox;
  vault: RunningVaultSandbox;
  slack: RunningSlackSandbox;
  client: Client;
  native: NativeConnection;
  connection: Connection;
  admin: KafkaConnection;
  secrets: SecretsPort;
  deps: PlaybookDeps;
  close(): Promise<void>;
}

/** Options of {@link startSandboxes}. */
export interface SandboxesOptions {
  /** Where the Temporal sandbox journals (absent: in memory). */
  temporalDataDir?: string;
  /** Data converter of the client (payload encryption, issue 15), built once Vault is up. */
  dataConverter?: (vault: RunningVaultSandbox) => DataConverter;
}

/** Starts the four sandboxes (port 0, in memory unless told) and connects the real clients. */
export async function startSandboxes(options: SandboxesOptions = {}): Promise<Sandboxes> {
  quietRuntime();
  const [temporal, kafka, vault, slack] = await Promise.all([startTemporal(options.temporalDataDir ? { dataDir: options.temporalDataDir } : {}), startKafka({}), startVault({}), startSlack({})]);
  const connection = await Connection.connect({ address: temporal.address });
  const native = await NativeConnection.connect({ address: temporal.address });
  const admin: KafkaConnection = { ...kafka.connection, brokers: [...kafka.connection.brokers] };
  const secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  const conversation = createWebConversationPort({ botToken: slack.botToken, apiUrl: slack.apiUrl, logger: silentLogger, retryConfig: { retries: 0 } });
  const deps: PlaybookDeps = { kafka: admin, secrets, conversation, logger: silentLogger, auditTopic: 'breachline.audit', channel: '#incidents' };
  return {
    temporal,
    kafka,
    vault,
    slack,
    client: new Client({ connection, ...(options.dataConverter ? { dataConverter: options.dataConverter(vault) } : {}) }),
    native,
    connection,
    admin,
    secrets,
    deps,
    async close() {
      await connection.close().catch(() => undefined);
      await native.close().catch(() => undefined);
      await Promise.all([temporal.close(), kafka.close(), vault.close(), slack.close()]);
    },
  };
}

/**
 * The data converter a worker process on these sandboxes uses by default (payload encryption on,
 * the default transit key of `temporal.codec`), for clients that talk to one (issue 15).
 */
export function encryptedConverter(vault: RunningVaultSandbox): DataConverter {
  return { payloadCodecs: [new VaultPayloadCodec({ secrets: createVaultSecrets({ address: vault.address, token: vault.rootToken }), transitKey: 'breachline-temporal' })] };
}

/** Bundles the playbook workflows once per file. */
export function playbookBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: join(ROOT, 'workflows', 'index.ts'), logger: quietLogger() });
}

/** The alert a SIEM would raise for the scenario, observed now. */
export function exfiltrationAlert(now = new Date()): Alert {
  return {
    source: 'splunk',
    alertId: `splunk-${randomUUID().slice(0, 8)}`,
    rule: 'kafka-consumer-volume-anomaly',
    severity: 'critical',
    title: 'report-exporter reads orders at 40x its baseline',
    principal: 'User:report-exporter',
    asset: 'orders',
    scenario: 'kafka-exfiltration',
    observedAt: now.toISOString(),
    receivedAt: now.toISOString(),
    fingerprint: randomUUID().replace(/-/g, ''),
  };
}

function kafkaAs(connection: KafkaConnection, username: string, password: string): Kafka {
  return new Kafka({
    clientId: `e2e-${username}`,
    brokers: [...connection.brokers],
    ssl: connection.ssl,
    sasl: { mechanism: 'scram-sha-512', username, password } as SASLOptions,
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
}

/** Whether `username` can SASL-authenticate with `password` (a metadata request after login). */
export async function canAuthenticate(connection: KafkaConnection, username: string, password: string): Promise<boolean> {
  const admin = kafkaAs(connection, username, password).admin();
  try {
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [] });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Tries to read one record of `topic` as `username`: `'read'` when a record arrives, otherwise
 * the kafkajs error type that stopped it (`TOPIC_AUTHORIZATION_FAILED`, `SASL_AUTHENTICATION_FAILED`, …).
 */
export async function tryConsume(connection: KafkaConnection, username: string, password: string, topic: string, group = `e2e-${randomUUID().slice(0, 8)}`): Promise<string> {
  const consumer = kafkaAs(connection, username, password).consumer({ groupId: group, retry: { retries: 0 }, sessionTimeout: 6_000, heartbeatInterval: 500 });
  try {
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 10_000);
      const done = (outcome: string): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      consumer.on(consumer.events.CRASH, (e) => done(errorType(e.payload.error)));
      consumer
        .connect()
        .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
        .then(() => consumer.run({ autoCommit: false, eachMessage: async () => done('read') }))
        .catch((err: unknown) => done(errorType(err)));
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Tries to produce one record as `username`: `'written'` or the error type. */
export async function tryProduce(connection: KafkaConnection, username: string, password: string, topic: string): Promise<string> {
  const producer = kafkaAs(connection, username, password).producer({ retry: { retries: 0 } });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'probe' }] });
    return 'written';
  } catch (err) {
    return errorType(err);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

function errorType(err: unknown): string {
  const e = err as { type?: string; name?: string; cause?: unknown };
  return e.type ?? (e.cause ? errorType(e.cause) : undefined) ?? e.name ?? 'Error';
}

/** Every record of a topic (all partitions), values parsed as JSON, in partition/offset order. */
export async function readTopic<T>(connection: KafkaConnection, topic: string): Promise<T[]> {
  const kafka = kafkaAs(connection, connection.username, connection.password);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = offsets.reduce((n, o) => n + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const out: Array<{ p: number; o: bigint; v: T }> = [];
  if (expected === 0) return [];
  const consumer = kafka.consumer({ groupId: `e2e-read-${randomUUID().slice(0, 8)}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${expected} records of ${topic}`)), 30_000);
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        out.push({ p: partition, o: BigInt(message.offset), v: JSON.parse(message.value?.toString('utf8') ?? 'null') as T });
        if (out.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.p - b.p || (a.o < b.o ? -1 : a.o > b.o ? 1 : 0)).map((r) => r.v);
}

/**
 * Evidence of an incident as stored (issue 13: binary chunks and signed manifests), read raw with
 * the product's own reader, plus each preserved source record as `partition:offset`.
 */
export async function readEvidence(connection: KafkaConnection, topic: string, incidentId?: string): Promise<{ values: Array<{ value: Buffer; where: string }>; sources: string[]; records: number }> {
  const kafka = kafkaAs(connection, connection.username, connection.password);
  const admin = kafka.admin();
  await admin.connect();
  const bounds = await topicBounds(admin, topic).catch(() => []);
  await admin.disconnect();
  const values: Array<{ value: Buffer; where: string }> = [];
  for (const b of bounds) {
    await readSlice(kafka, { topic, partition: b.partition, partitions: bounds.length, from: b.low, toExclusive: b.high, onMessages: async (ms) => void ms.forEach((m) => m.value !== null && values.push({ value: m.value, where: `${topic}/${b.partition}@${m.offset}` })) });
  }
  const sources: string[] = [];
  for (const { value } of values) {
    if (!isChunk(value)) continue;
    const c = parseChunk(value);
    if (incidentId === undefined || c.header.incidentId === incidentId) for (const o of c.offsets) sources.push(`${c.header.partition}:${o}`);
  }
  return { values, sources, records: sources.length };
}

/** Polls until `check` resolves truthy. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not reached in ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export { quietRuntime };

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  taskQueue: string;
  /** A prebuilt workflow bundle, so a restart does not bundle again. */
  bundlePath: string;
}

/**
 * Starts `worker/main.ts` in its own process against the sandboxes (every address configured);
 * resolves once it logs that it is running. Crash tests and the time-to-resume benchmark kill it.
 */
export async function startWorkerProcess(sb: Sandboxes, options: WorkerProcessOptions): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BREACHLINE_TEMPORAL_ADDRESS: sb.temporal.address,
    BREACHLINE_TEMPORAL_TASK_QUEUE: options.taskQueue,
    BREACHLINE_KAFKA_BROKERS: sb.admin.brokers.join(','),
    BREACHLINE_KAFKA_USERNAME: sb.admin.username,
    BREACHLINE_KAFKA_PASSWORD: sb.admin.password,
    BREACHLINE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    BREACHLINE_VAULT_ADDRESS: sb.vault.address,
    BREACHLINE_VAULT_TOKEN: sb.vault.rootToken,
    BREACHLINE_SLACK_API_URL: sb.slack.apiUrl,
    BREACHLINE_SLACK_BOT_TOKEN: sb.slack.botToken,
    BREACHLINE_SLACK_SIGNING_SECRET: sb.slack.signingSecret,
    BREACHLINE_WORKFLOW_BUNDLE: options.bundlePath,
    BREACHLINE_LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker', 'main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (out.includes('worker running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${out}`)));
  });
  return child;
}

/** SIGKILLs a process and waits until it is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
