/**
 * Re-captures the wire fixtures of `test/unit/kafka-sandbox/fixtures/wire`: starts a sandbox broker
 * behind a recording TCP proxy (the broker advertises the proxy's port, so every connection goes
 * through it), runs kcat, confluent-kafka, kafka-python and kafkajs against it, and writes the first
 * request and response frame of each (client, API, version) as hex.
 *
 *   npx tsx test/conformance/capture-fixtures.ts OUT_DIR
 *
 * Not a test: the captured bytes are reviewed and committed by hand.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { start } from '../../src/sandbox/kafka';
import { API_VERSIONS, apiRange } from '../../src/sandbox/kafka/protocol/api-keys';
import { requirePython } from './helpers';

const NAMES = new Map(API_VERSIONS.map((a) => [a.key, a.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()]));
const PASSWORD = 'capture-password';

/** Calls `onFrame` with each INT32-size-prefixed frame of a byte stream. */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      onFrame(buf.subarray(4, 4 + size));
      buf = buf.subarray(4 + size);
    }
  };
}

/** A proxy that records frames; raw SASL tokens (after SaslHandshake v0) are forwarded, not recorded. */
function recordingProxy(target: number, record: (key: number, version: number, dir: 'request' | 'response', frame: Buffer) => void) {
  return createServer((client: Socket) => {
    const upstream = connect(target, '127.0.0.1');
    const pending: Array<{ key: number; version: number } | null> = [];
    let rawTokens = 0;
    client.on('data', frames((f) => {
      if (rawTokens > 0 || f.length < 4 || !apiRange(f.readInt16BE(0))) {
        rawTokens = Math.max(0, rawTokens - 1);
        pending.push(null);
        return;
      }
      const key = f.readInt16BE(0);
      const version = f.readInt16BE(2);
      record(key, version, 'request', f);
      if (key === 17 && version === 0) rawTokens = 2; // SCRAM: client-first and client-final
      pending.push({ key, version });
    }));
    upstream.on('data', frames((f) => {
      const p = pending.shift();
      if (p) record(p.key, p.version, 'response', f);
    }));
    client.on('data', (c: Buffer) => upstream.write(c));
    upstream.on('data', (c: Buffer) => client.write(c));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
}

function runTool(cmd: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (err) => {
      if (err) process.stderr.write(`${cmd} ${args[0] ?? ''}: ${err.message.slice(0, 300)}\n`);
      resolve();
    });
    child.stdin?.end(input ?? '');
  });
}

async function kafkajsAdminRound(bootstrap: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'fixture', brokers: [bootstrap], sasl: { mechanism: 'scram-sha-512', username: 'admin', password: PASSWORD }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'capj', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] });
  await admin.describeConfigs({ resources: [{ type: 2, name: 'capj' }], includeSynonyms: false });
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'capj', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'capj', count: 2 }] });
  const acl = { resourceType: 2, resourceName: 'capj', resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 3, permissionType: 3 };
  await admin.createAcls({ acl: [acl] });
  await admin.describeAcls(acl);
  await admin.deleteAcls({ filters: [acl] });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: 'capj', messages: [{ key: 'k', value: 'v', partition: 0 }] });
  await producer.disconnect();
  await admin.fetchTopicOffsets('capj');
  await admin.deleteTopicRecords({ topic: 'capj', partitions: [{ partition: 0, offset: '1' }] });
  await admin.fetchOffsets({ groupId: 'capkg' });
  await admin.listGroups();
  await admin.describeGroups(['capkg']);
  await admin.deleteTopics({ topics: ['capj'] });
  await admin.disconnect();
}

async function main(out: string): Promise<void> {
  const python = requirePython();
  const sandbox = await start({ port: 0, adminPassword: PASSWORD, groups: { initialRebalanceDelayMs: 50, minSessionTimeoutMs: 1000 } });
  sandbox.broker.createTopic('cap', 2);
  const seen = new Set<string>();
  let client = 'unknown';
  const proxy = recordingProxy(sandbox.broker.port, (key, version, dir, frame) => {
    const id = `${client}-${NAMES.get(key) ?? key}-v${version}-${dir}`;
    if (seen.has(id) || frame.length > 6000) return;
    seen.add(id);
    writeFileSync(join(out, `${id}.hex`), `${frame.toString('hex')}\n`);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as { port: number }).port;
  // Metadata then names the proxy, so the clients' broker connections are recorded too.
  sandbox.broker.port = port;
  const bootstrap = `127.0.0.1:${port}`;
  const kcat = ['-b', bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=admin', '-X', `sasl.password=${PASSWORD}`];
  const cfg = (o: object) => JSON.stringify({ bootstrap, username: 'admin', password: PASSWORD, ...o });
  const script = (name: string) => join(__dirname, 'clients', name);

  client = 'librdkafka';
  await runTool('kcat', [...kcat, '-L']);
  await runTool('kcat', [...kcat, '-P', '-t', 'cap', '-p', '0', '-K:'], 'a:1\nb:2\n');
  await runTool('kcat', [...kcat, '-G', 'capg', '-X', 'auto.offset.reset=earliest', '-e', 'cap']);
  await runTool(python, [script('confluent_client.py'), 'admin', cfg({ topic: 'capa', partitions: 1, configs: { 'retention.ms': '60000' } })]);
  await runTool(python, [script('confluent_client.py'), 'offsets-for-times', cfg({ topic: 'cap', group: 'capo', timestamp: Date.now() - 60_000, partitions: 2 })]);
  client = 'kafka-python';
  await runTool(python, [script('kafka_python_client.py'), 'admin-create-topic', cfg({ topic: 'capk', partitions: 1, configs: { 'retention.ms': '60000' } })]);
  await runTool(python, [script('kafka_python_client.py'), 'produce', cfg({ topic: 'capk', count: 2 })]);
  await runTool(python, [script('kafka_python_client.py'), 'group-consume', cfg({ topic: 'capk', group: 'capkg', expect: 2 })]);
  client = 'kafkajs';
  await kafkajsAdminRound(bootstrap);

  proxy.close();
  await sandbox.close();
  process.stdout.write(`${[...seen].sort().join('\n')}\n`);
}

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: capture-fixtures.ts OUT_DIR\n');
  process.exit(2);
}
main(out).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
