import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Kafka, logLevel, type KafkaMessage, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEvidenceActivities, type PreserveEvidenceChunksResult, type PreserveEvidenceInput } from '../../../activities/evidence';
import type { ChunkCheckpoint } from '../../../src/audit/chunk-replay';
import { isChunk, openChunk, parseChunk, recordHash } from '../../../src/audit/evidence-chunk';
import { buildExport, readExport } from '../../../src/audit/evidence-export';
import { EVIDENCE_SIGNING_KEY, manifestSigningInput, parseManifest, manifestValue } from '../../../src/audit/evidence-manifest';
import { checkProof, proveRecord, verifyEvidence, type EvidenceSet } from '../../../src/audit/evidence-verify';
import { readTar, writeTar } from '../../../src/audit/tar';
import { readSlice, topicBounds } from '../../../src/audit/topic-reader';
import { buildProgram } from '../../../src/cli/program';
import { ed25519FromRaw, type PublicKeyRing } from '../../../src/domain/audit-checkpoint';
import type { EventDataMap, OffsetRange } from '../../../src/domain/events';
import type { StepOutput } from '../../../src/domain/step-contract';
import { silentLogger } from '../../../src/log/logger';
import { ApiKey, ErrorCode, start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start as startVault, type RunningVaultSandbox } from '../../../src/sandbox/vault';
import { createVaultSecrets, type SecretsPort } from '../../../src/vault';

/*
 * The chunked evidence replay (issue 13) against the Kafka and Vault sandboxes with kafkajs and
 * node-vault over real sockets, under MockActivityEnvironment (heartbeats and their details as in
 * a worker); then verify, export, prove and check-proof on what it wrote, including the CLI on an
 * export archive, and what each does with a tampered chunk, a missing chunk and a wrong key.
 */

const SOURCE = 'orders-chunked';
const PARTITIONS = 2;
const PER_PARTITION = 400;
let kafka: RunningKafkaSandbox;
let vault: RunningVaultSandbox;
let secrets: SecretsPort;
let client: Kafka;
let dir: string;

const email = (p: number, i: number): string => `client${p}x${i}@bank-example.org`;

beforeAll(async () => {
  [kafka, vault] = await Promise.all([startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } }), startVault({ port: 0 })]);
  secrets = createVaultSecrets({ address: vault.address, token: vault.rootToken });
  dir = mkdtempSync(join(tmpdir(), 'breachline-evidence-'));
  client = new Kafka({
    clientId: 'evidence-chunks-test',
    brokers: [...kafka.connection.brokers],
    sasl: { mechanism: 'scram-sha-512', username: kafka.connection.username, password: kafka.connection.password } as SASLOptions,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: SOURCE, numPartitions: PARTITIONS, configEntries: [{ name: 'retention.ms', value: '-1' }] }] });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  for (let p = 0; p < PARTITIONS; p++) {
    for (let start = 0; start < PER_PARTITION; start += 100) {
      await producer.send({
        topic: SOURCE,
        messages: Array.from({ length: 100 }, (_, j) => {
          const i = start + j;
          return {
            partition: p,
            key: i % 7 === 0 ? null : `acct-${p}-${i}`,
            value: JSON.stringify({ orderId: `o-${p}-${i}`, client: { email: email(p, i) }, qty: i }),
            headers: i % 5 === 0 ? { source: 'trading-gw', trace: Buffer.from([p, i & 0xff]) } : {},
            timestamp: String(1_767_225_600_000 + i * 1000 - (i % 3) * 1500),
          };
        }),
      });
    }
  }
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await Promise.all([kafka?.close(), vault?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const range = (from: number, to: number): OffsetRange => ({ from: String(from), to: String(to), records: String(to - from + 1), bytes: '0', firstTs: null, lastTs: null });

function input(incidentId: string, partition: number, ranges: OffsetRange[], evidenceTopic: string, chunkSize: number): PreserveEvidenceInput {
  return {
    incidentId,
    stepId: 'preserve-evidence',
    stepKey: `${incidentId}/preserve-evidence`,
    mode: 'live',
    principal: 'User:report-exporter',
    params: { evidenceTopic, chunkSize, parallelism: 1, tokenisePii: true, transitKey: 'breachline-evidence' },
    sourceTopic: SOURCE,
    partition,
    ranges,
  };
}

const activities = () => createEvidenceActivities({ kafka: kafka.connection, secrets, logger: silentLogger, maxBytesPerPartition: 16 * 1024 });

function preserve(env: MockActivityEnvironment, step: PreserveEvidenceInput): Promise<StepOutput<PreserveEvidenceChunksResult>> {
  return env.run(activities().preserveEvidenceChunks, step) as Promise<StepOutput<PreserveEvidenceChunksResult>>;
}

async function readAll(topic: string, partition?: number): Promise<KafkaMessage[]> {
  const admin = client.admin();
  await admin.connect();
  const bounds = await topicBounds(admin, topic);
  await admin.disconnect();
  const out: KafkaMessage[] = [];
  for (const b of bounds) {
    if (partition !== undefined && b.partition !== partition) continue;
    await readSlice(client, { topic, partition: b.partition, partitions: bounds.length, from: b.low, toExclusive: b.high, onMessages: async (m) => void out.push(...m) });
  }
  return out;
}

async function evidenceSet(topic: string, incidentId: string, pinned: Array<EventDataMap['EvidenceManifestSigned']>): Promise<EvidenceSet> {
  const values = (await readAll(topic)).flatMap((m) => (m.value === null ? [] : [{ value: m.value, where: `${topic}@${m.offset}` }]));
  return { incidentId, values, pinned };
}

async function vaultKeys(): Promise<PublicKeyRing> {
  const info = await secrets.publicKeys(EVIDENCE_SIGNING_KEY);
  return new Map(Object.entries(info.publicKeys).map(([n, raw]) => [Number(n), ed25519FromRaw(raw)]));
}

const unwrap = (transitKey: string, wrappedKey: string): Promise<Buffer> => secrets.decrypt(transitKey, wrappedKey);
const manifestOf = (out: StepOutput<unknown>): EventDataMap['EvidenceManifestSigned'] => out.events.find((e) => e.type === 'EvidenceManifestSigned')?.data as EventDataMap['EvidenceManifestSigned'];

/** Runs the CLI in this process; returns its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'breachline', ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out };
}

describe('preserveEvidenceChunks', () => {
  const TOPIC = 'breachline.evidence.chunked';
  const INCIDENT = 'inc-chunked';
  let out: StepOutput<PreserveEvidenceChunksResult>;
  let set: EvidenceSet;

  beforeAll(async () => {
    out = await preserve(new MockActivityEnvironment(), input(INCIDENT, 0, [range(20, 219), range(250, 349)], TOPIC, 40));
    set = await evidenceSet(TOPIC, INCIDENT, [manifestOf(out)]);
  }, 60_000);

  it('preserves exactly the window in chunks that never cross a range, and signs a manifest', async () => {
    expect(out.events.map((e) => e.type)).toEqual(['EvidencePreserved', 'EvidencePreserved', 'EvidenceManifestSigned']);
    expect(out.events[0]?.data).toMatchObject({ from: '20', to: '219', records: '200' });
    expect(out.events[1]?.data).toMatchObject({ from: '250', to: '349', records: '100' });
    const chunks = set.values.filter((v) => isChunk(v.value)).map((v) => parseChunk(v.value));
    expect(chunks.map((c) => c.header.records)).toEqual([40, 40, 40, 40, 40, 40, 40, 20]);
    expect(chunks.flatMap((c) => c.offsets.map(Number))).toEqual([...Array.from({ length: 200 }, (_, i) => 20 + i), ...Array.from({ length: 100 }, (_, i) => 250 + i)]);
    const m = manifestOf(out);
    expect(m).toMatchObject({ records: '300', chunks: 8, sourceTopic: SOURCE, partition: 0, keyIds: ['breachline-evidence:v1'] });
    expect(out.result).toMatchObject({ records: '300', chunks: 8, adopted: 0 });
    const report = await verifyEvidence(set, { keys: await vaultKeys() });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, manifests: 1, chunks: 8, records: '300', signaturesChecked: true });
  });

  it('keeps every source record byte for byte, readable only through Vault, with no personal data in clear', async () => {
    const originals = new Map<string, KafkaMessage>((await readAll(SOURCE, 0)).map((m) => [m.offset, m]));
    for (const { value } of set.values.filter((v) => isChunk(v.value))) {
      const chunk = parseChunk(value);
      const records = openChunk(chunk, await unwrap(chunk.header.transitKey, chunk.header.wrappedKey));
      for (const [i, r] of records.entries()) {
        const o = originals.get(r.offset.toString()) as KafkaMessage;
        expect(r.timestamp.toString()).toBe(o.timestamp);
        expect(r.key).toEqual(o.key ?? null);
        expect(r.value?.equals(o.value as Buffer)).toBe(true);
        expect(r.headers).toEqual(Object.entries(o.headers ?? {}).map(([n, v]) => [n, v]));
        expect(recordHash(SOURCE, 0, r).equals(chunk.recordHashes[i] as Buffer)).toBe(true);
      }
    }
    const raw = set.values.map((v) => v.value.toString('latin1')).join('\n');
    expect(raw).not.toContain('bank-example.org');
    expect(raw).not.toContain('acct-0-');
    expect((await verifyEvidence(set, { keys: await vaultKeys(), unwrap })).ok).toBe(true);
  });

  it('fails verification on a tampered chunk, a missing chunk, a duplicated chunk, a replaced manifest and a wrong key', async () => {
    const keys = await vaultKeys();
    const chunkAt = set.values.findIndex((v) => isChunk(v.value) && parseChunk(v.value).header.seq === 3);
    const bytes = Buffer.from(set.values[chunkAt]?.value as Buffer);
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 0x01;
    const tampered = { ...set, values: set.values.map((v, i) => (i === chunkAt ? { ...v, value: bytes } : v)) };
    expect((await verifyEvidence(tampered, { keys })).problems.map((p) => p.kind)).toContain('tampered-chunk');

    const missing = { ...set, values: set.values.filter((_, i) => i !== chunkAt) };
    const m = await verifyEvidence(missing, { keys });
    expect(m.ok).toBe(false);
    expect(m.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['missing-chunk', 'gap', 'merkle-mismatch']));

    const doubled = { ...set, values: [...set.values, set.values[chunkAt] as { value: Buffer; where: string }] };
    expect((await verifyEvidence(doubled, { keys })).problems.map((p) => p.kind)).toContain('duplicate-chunk');

    const other = generateKeyPairSync('ed25519').publicKey;
    expect((await verifyEvidence(set, { keys: new Map([[1, other]]) })).problems.map((p) => p.kind)).toEqual(['bad-signature']);

    const wrongKey = await verifyEvidence(set, { keys, unwrap: async () => Buffer.alloc(32, 7) });
    expect(wrongKey.problems.map((p) => p.kind)).toEqual(Array(8).fill('decrypt-failed'));

    // A manifest re-signed by someone else (their own key) is not the one on the audit topic.
    const manifestAt = set.values.findIndex((v) => parseManifest(v.value) !== undefined);
    const forged = { ...(parseManifest(set.values[manifestAt]?.value ?? null) as NonNullable<ReturnType<typeof parseManifest>>), records: '299' };
    const replaced = { ...set, values: set.values.map((v, i) => (i === manifestAt ? { ...v, value: manifestValue(forged) } : v)) };
    expect((await verifyEvidence(replaced, {})).problems.map((p) => p.kind)).toContain('manifest-not-pinned');
    expect(manifestSigningInput(forged).toString()).not.toContain('"signature"');
  });

  it('proves one record with an RFC 6962 audit path that checks against the signed root, and nothing else', async () => {
    const keys = await vaultKeys();
    const proof = proveRecord(set, SOURCE, 0, 260n);
    expect(proof).toMatchObject({ leafIndex: 210, treeSize: 300 });
    const original = (await readAll(SOURCE, 0)).find((r) => r.offset === '260') as KafkaMessage;
    const own = recordHash(SOURCE, 0, {
      offset: 260n,
      timestamp: BigInt(original.timestamp),
      key: original.key ?? null,
      value: original.value ?? null,
      headers: Object.entries(original.headers ?? {}).map(([n, v]) => [n, v as Buffer]),
    }).toString('hex');
    expect(checkProof(proof, keys, own)).toEqual({ ok: true, problems: [] });
    expect(checkProof(proof, keys, 'ab'.repeat(32)).ok).toBe(false);
    expect(checkProof({ ...proof, leafIndex: 211 }, keys).ok).toBe(false);
    expect(checkProof(proof, new Map([[1, generateKeyPairSync('ed25519').publicKey]])).problems).toEqual(['manifest signature: bad signature']);
    expect(() => proveRecord(set, SOURCE, 0, 230n)).toThrow(/not in the preserved evidence/);
  });

  it('exports a self-contained archive that the CLI verifies, proves from, and fails when a chunk is altered or missing', async () => {
    const publicKey = { name: EVIDENCE_SIGNING_KEY, type: 'ed25519', keys: (await secrets.publicKeys(EVIDENCE_SIGNING_KEY)).publicKeys as Record<string, string> };
    const built = await buildExport(set, { publicKey, decrypt: { unwrap, authorisedBy: 'U-DPO' } });
    expect(built).toMatchObject({ manifests: 1, chunks: 8, records: '300' });
    const entries = readTar(built.archive);
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['README.md', 'public-key.json', 'audit-events.json', 'manifests/0.json', 'chunks/0/00000000.blec', 'records/0.jsonl']));
    expect(entries.find((e) => e.name === 'records/0.jsonl')?.data.toString().trim().split('\n')).toHaveLength(300);
    const archive = join(dir, 'export.tar');
    const keyFile = join(dir, 'key.json');
    writeFileSync(archive, built.archive);
    writeFileSync(keyFile, JSON.stringify(publicKey));
    expect((await verifyEvidence(readExport(readFileSync(archive), INCIDENT).set, { keys: await vaultKeys() })).ok).toBe(true);

    const ok = await cli(['evidence', 'verify', INCIDENT, '--archive', archive, '--public-key', keyFile]);
    expect(ok.out).toContain('evidence intact');
    expect(ok.code).toBe(0);

    const proofFile = join(dir, 'proof.json');
    expect((await cli(['evidence', 'prove', INCIDENT, SOURCE, '0', '100', '--archive', archive, '--out', proofFile])).code).toBe(0);
    const checked = await cli(['evidence', 'check-proof', proofFile, '--public-key', keyFile]);
    expect(checked).toMatchObject({ code: 0 });
    expect(checked.out).toContain('proof holds');

    const altered = entries.map((e) => (e.name === 'chunks/0/00000002.blec' ? { ...e, data: Buffer.concat([e.data.subarray(0, 200), Buffer.from([e.data[200] as number ^ 0xff]), e.data.subarray(201)]) } : e));
    writeFileSync(join(dir, 'altered.tar'), writeTar(altered));
    const bad = await cli(['evidence', 'verify', INCIDENT, '--archive', join(dir, 'altered.tar'), '--public-key', keyFile]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('FAILED tampered-chunk');

    writeFileSync(join(dir, 'missing.tar'), writeTar(entries.filter((e) => e.name !== 'chunks/0/00000005.blec')));
    const gone = await cli(['evidence', 'verify', INCIDENT, '--archive', join(dir, 'missing.tar'), '--public-key', keyFile, '--json']);
    expect(gone.code).toBe(1);
    expect((JSON.parse(gone.out) as { problems: Array<{ kind: string }> }).problems.map((p) => p.kind)).toContain('missing-chunk');

    const otherKey = join(dir, 'other.json');
    const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
    writeFileSync(otherKey, JSON.stringify({ name: 'x', type: 'ed25519', keys: { '1': raw } }));
    const wrong = await cli(['evidence', 'verify', INCIDENT, '--archive', archive, '--public-key', otherKey]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('FAILED bad-signature');
  });
});

describe('preserveEvidenceChunks after a crash', () => {
  it('resumes at the exact chunk boundary from a stale checkpoint: no gap, no duplicate, then is idempotent', async () => {
    const topic = 'breachline.evidence.chunk-crash';
    const incidentId = 'inc-chunk-crash';
    const beats: ChunkCheckpoint[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: ChunkCheckpoint) => {
      beats.push(d);
      if (beats.length === 4) kafka.broker.faults.failNext(ApiKey.Produce, 1, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    });
    await expect(preserve(env, input(incidentId, 1, [range(0, PER_PARTITION - 1)], topic, 30))).rejects.toMatchObject({ type: 'EvidenceReplayFailed' });
    const before = (await readAll(topic)).filter((m) => isChunk(m.value)).length;
    expect(before).toBeGreaterThan(1);
    expect(before).toBeLessThan(14);

    // The oldest checkpoint: every chunk written after it must be adopted, not written again.
    const stale = beats.find((b) => b.seq === 1) as ChunkCheckpoint;
    const resumed = new MockActivityEnvironment({ heartbeatDetails: stale });
    const last: ChunkCheckpoint[] = [];
    resumed.on('heartbeat', (d: ChunkCheckpoint) => last.push(d));
    const out = await preserve(resumed, input(incidentId, 1, [range(0, PER_PARTITION - 1)], topic, 30));
    expect(out.result).toMatchObject({ records: String(PER_PARTITION), chunks: 14 });
    expect(out.result?.adopted).toBe(before - 1);
    const set = await evidenceSet(topic, incidentId, [manifestOf(out)]);
    const report = await verifyEvidence(set, { keys: await vaultKeys(), unwrap });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, chunks: 14, records: String(PER_PARTITION) });

    // Run again with the final checkpoint: the manifest is found, nothing is written.
    const high = (await readAll(topic)).length;
    const again = await preserve(new MockActivityEnvironment({ heartbeatDetails: last.at(-1) }), input(incidentId, 1, [range(0, PER_PARTITION - 1)], topic, 30));
    expect(manifestOf(again).manifestSha256).toBe(manifestOf(out).manifestSha256);
    expect((await readAll(topic)).length).toBe(high);
  }, 60_000);
});
