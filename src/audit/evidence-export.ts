import { createHash } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventDataMap } from '../domain/events';
import { readIncidentEvents } from './audit-reader';
import { isChunk, openChunk, parseChunk } from './evidence-chunk';
import { parseManifest } from './evidence-manifest';
import type { EvidenceSet } from './evidence-verify';
import { readTar, writeTar, type TarEntry } from './tar';
import { readSlice, topicBounds } from './topic-reader';

/**
 * Where an incident's evidence comes from and where it goes: read from the evidence topics the
 * audit topic names (with the audit topic's `EvidenceManifestSigned` events pinning each manifest),
 * or from an export archive; written as a self-contained ustar archive for a regulator or a court.
 */

/** Reads an incident's evidence: its audit events name the evidence topics; every value of those topics is read. */
export async function readEvidenceFromKafka(kafka: Kafka, auditTopic: string, incidentId: string): Promise<EvidenceSet> {
  const events = await readIncidentEvents(kafka, auditTopic, incidentId);
  if (events.length === 0) throw new Error(`no audit records for incident ${incidentId} on ${auditTopic}`);
  const pinned = events.flatMap((e) => (e.type === 'EvidenceManifestSigned' ? [e.data] : []));
  const topics = new Set(events.flatMap((e) => (e.type === 'EvidencePreserved' || e.type === 'EvidenceManifestSigned' ? [e.data.evidenceTopic] : [])));
  const values: EvidenceSet['values'] = [];
  for (const topic of [...topics].sort()) {
    const admin = kafka.admin();
    await admin.connect();
    const bounds = await topicBounds(admin, topic).finally(() => admin.disconnect());
    for (const b of bounds) {
      await readSlice(kafka, {
        topic,
        partition: b.partition,
        partitions: bounds.length,
        from: b.low,
        toExclusive: b.high,
        groupPrefix: 'breachline-evidence-verify',
        onMessages: (messages) => {
          for (const m of messages) if (m.value !== null) values.push({ value: m.value, where: `${topic}/${b.partition}@${m.offset}` });
          return Promise.resolve();
        },
      });
    }
  }
  return { incidentId, values, pinned };
}

/** What goes into an export besides the evidence itself. */
export interface ExportOptions {
  /** The manifest signing key's public keys, Vault export JSON (`{name, type, keys}`). */
  publicKey: { name: string; type: string; keys: Record<string, string> };
  /** With the DPO's authorisation: unwraps data keys so the archive also holds the records in clear. */
  decrypt?: { unwrap: (transitKey: string, wrappedKey: string) => Promise<Buffer>; authorisedBy: string };
  now?: () => Date;
}

/** The export's parts, for the caller's event and report. */
export interface BuiltExport {
  archive: Buffer;
  sha256: string;
  manifests: number;
  chunks: number;
  records: string;
}

const README = (incidentId: string, decrypted: string | undefined): string => `# Evidence of incident ${incidentId}

Exported by breachline. Everything needed to check this evidence is in this archive, except the
trust in the public key: obtain the manifest signing key's public key from the organisation
through a channel other than this archive, and compare it with \`public-key.json\`.

## Contents
- \`manifests/N.json\`: one signed manifest per preserved source partition window (RFC 8785 JSON).
- \`chunks/N/SEQ.blec\`: the evidence chunks of manifest N, byte for byte as on the evidence topic.
- \`audit-events.json\`: the \`EvidenceManifestSigned\` events of the incident's audit topic, each
  pinning a manifest by its SHA-256.
- \`public-key.json\`: the ed25519 public key(s) of the signing key (Vault transit export format).
${decrypted !== undefined ? `- \`records/N.jsonl\`: the source records in clear, one JSON object per line (key, value and header\n  values base64). Decrypted with the authorisation of ${decrypted}; handle as personal data.\n` : ''}
## Verifying
With breachline: \`breachline evidence verify ${incidentId} --archive <this file> --public-key <trusted key>\`.

By hand (docs/evidence-format.md in the breachline repository is the full specification):
1. For each manifest, remove \`signature\`, serialise the rest as RFC 8785 canonical JSON and check
   the ed25519 signature (\`vault:vN:<base64>\`, key version N) with the public key.
2. SHA-256 of each chunk file must equal its entry in the manifest's \`chunks\` list, and each
   chunk's header \`prevHash\` must equal the previous chunk's SHA-256 (64 zeros for the first).
3. Concatenate the 32-byte record hashes of the chunks' clear index in order and compute the
   RFC 6962 Merkle tree root: it must equal the manifest's \`merkleRoot\`.
4. A single record is proven with \`breachline evidence prove\`: an RFC 6962 audit path from the
   record's SHA-256 to the signed root.
`;

/** Builds the archive from an incident's evidence. */
export async function buildExport(set: EvidenceSet, options: ExportOptions): Promise<BuiltExport> {
  const manifests = set.values.flatMap(({ value }) => {
    const m = parseManifest(value);
    return m !== undefined && m.incidentId === set.incidentId ? [m] : [];
  });
  const chunks = set.values.flatMap(({ value }) => {
    if (!isChunk(value)) return [];
    try {
      const c = parseChunk(value);
      return c.header.incidentId === set.incidentId ? [{ c, value }] : [];
    } catch {
      return [];
    }
  });
  const entries: TarEntry[] = [{ name: 'README.md', data: Buffer.from(README(set.incidentId, options.decrypt?.authorisedBy)) }];
  entries.push({ name: 'public-key.json', data: Buffer.from(`${JSON.stringify(options.publicKey, null, 2)}\n`) });
  entries.push({ name: 'audit-events.json', data: Buffer.from(`${JSON.stringify(set.pinned ?? [], null, 2)}\n`) });
  let records = 0n;
  let chunkCount = 0;
  for (const [i, m] of manifests.entries()) {
    entries.push({ name: `manifests/${i}.json`, data: Buffer.from(JSON.stringify(m)) });
    records += BigInt(m.records);
    const mine = chunks.filter(({ c }) => c.header.stepKey === m.stepKey && c.header.topic === m.source.topic && c.header.partition === m.source.partition);
    const lines: string[] = [];
    for (const { c, value } of mine) {
      entries.push({ name: `chunks/${i}/${String(c.header.seq).padStart(8, '0')}.blec`, data: value });
      chunkCount++;
      if (options.decrypt !== undefined) {
        const key = await options.decrypt.unwrap(c.header.transitKey, c.header.wrappedKey);
        try {
          for (const r of openChunk(c, key)) {
            lines.push(
              JSON.stringify({
                topic: c.header.topic,
                partition: c.header.partition,
                offset: r.offset.toString(),
                timestamp: r.timestamp.toString(),
                key: r.key?.toString('base64') ?? null,
                value: r.value?.toString('base64') ?? null,
                headers: r.headers.map(([n, v]) => [n, v?.toString('base64') ?? null]),
              }),
            );
          }
        } finally {
          key.fill(0);
        }
      }
    }
    if (options.decrypt !== undefined) entries.push({ name: `records/${i}.jsonl`, data: Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '') });
  }
  const archive = writeTar(entries, Math.floor((options.now?.() ?? new Date()).getTime() / 1000));
  return { archive, sha256: createHash('sha256').update(archive).digest('hex'), manifests: manifests.length, chunks: chunkCount, records: records.toString() };
}

/** Reads an export archive back as an evidence set (and the public key it carries). */
export function readExport(archive: Buffer, incidentId: string): { set: EvidenceSet; publicKey: string | undefined } {
  const entries = readTar(archive);
  const values: EvidenceSet['values'] = [];
  let pinned: Array<EventDataMap['EvidenceManifestSigned']> | undefined;
  let publicKey: string | undefined;
  for (const e of entries) {
    if (e.name.startsWith('manifests/') || e.name.startsWith('chunks/')) values.push({ value: e.data, where: e.name });
    else if (e.name === 'audit-events.json') pinned = JSON.parse(e.data.toString('utf8')) as Array<EventDataMap['EvidenceManifestSigned']>;
    else if (e.name === 'public-key.json') publicKey = e.data.toString('utf8');
  }
  return { set: { incidentId, values, ...(pinned !== undefined ? { pinned } : {}) }, publicKey };
}
