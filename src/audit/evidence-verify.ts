import type { PublicKeyRing } from '../domain/audit-checkpoint';
import { GENESIS_HASH } from '../domain/audit-chain';
import type { EventDataMap } from '../domain/events';
import { ChunkFormatError, isChunk, openChunk, parseChunk, recordHash, type ParsedChunk } from './evidence-chunk';
import { parseEvidenceRecord, verifyEvidenceRecords, type EvidenceRecord } from './evidence-envelope';
import { manifestDigest, parseManifest, verifyManifestSignature, type SignedManifest } from './evidence-manifest';
import { inclusionProof, merkleRoot, verifyInclusion } from './merkle';

/**
 * Verification of an incident's evidence (issue 13), from the evidence topic or an export archive:
 * every chunk against its manifest, the chain, the Merkle root, the signatures, and with
 * permission the decrypted records against their hashes. Also builds and checks Merkle inclusion
 * proofs for single records. Pure: the caller reads the records and supplies keys.
 */

/** The evidence of one incident as read: raw values in topic (or archive) order. */
export interface EvidenceSet {
  incidentId: string;
  values: Array<{ value: Buffer; where: string }>;
  /** `EvidenceManifestSigned` events from the audit topic: each pins one manifest's digest. */
  pinned?: ReadonlyArray<EventDataMap['EvidenceManifestSigned']>;
}

/** One problem found; `kind` is stable for scripts. */
export interface EvidenceProblem {
  kind:
    | 'bad-signature'
    | 'manifest-not-pinned'
    | 'manifest-missing'
    | 'missing-chunk'
    | 'duplicate-chunk'
    | 'tampered-chunk'
    | 'broken-chain'
    | 'gap'
    | 'duplicate-record'
    | 'merkle-mismatch'
    | 'decrypt-failed'
    | 'record-hash-mismatch'
    | 'legacy-broken';
  chain: string;
  message: string;
}

/** The verdict. */
export interface EvidenceReport {
  incidentId: string;
  ok: boolean;
  manifests: number;
  chunks: number;
  records: string;
  signaturesChecked: boolean;
  decrypted: boolean;
  /** Records of the legacy per-record format (before issue 13), chain-checked only. */
  legacyRecords: number;
  partitions: Array<{ topic: string; partition: number; records: string; chunks: number; merkleRoot: string; ok: boolean }>;
  problems: EvidenceProblem[];
}

/** What to check with. */
export interface EvidenceTrust {
  /** Public keys of the manifest signing key; absent: signatures not checked (and reported so). */
  keys?: PublicKeyRing;
  /** Unwraps a data key (Vault transit decrypt); absent: hash-only verification. */
  unwrap?: (transitKey: string, wrappedKey: string) => Promise<Buffer>;
}

interface Sorted {
  manifests: Array<{ manifest: SignedManifest; where: string }>;
  chunks: Array<{ chunk: ParsedChunk | undefined; where: string; error?: string }>;
  legacy: EvidenceRecord[];
}

const chainOf = (stepKey: string, topic: string, partition: number): string => `${stepKey}|${topic}|${partition}`;

function sort(set: EvidenceSet): Sorted {
  const out: Sorted = { manifests: [], chunks: [], legacy: [] };
  for (const { value, where } of set.values) {
    if (isChunk(value)) {
      try {
        const chunk = parseChunk(value);
        if (chunk.header.incidentId === set.incidentId) out.chunks.push({ chunk, where });
      } catch (err) {
        out.chunks.push({ chunk: undefined, where, error: (err as Error).message });
      }
      continue;
    }
    const manifest = parseManifest(value);
    if (manifest !== undefined) {
      if (manifest.incidentId === set.incidentId) out.manifests.push({ manifest, where });
      continue;
    }
    const legacy = parseEvidenceRecord(value);
    if (legacy !== undefined && legacy.incidentId === set.incidentId) out.legacy.push(legacy);
  }
  return out;
}

/** Verifies an incident's evidence; see the module comment. */
export async function verifyEvidence(set: EvidenceSet, trust: EvidenceTrust = {}): Promise<EvidenceReport> {
  const sorted = sort(set);
  const problems: EvidenceProblem[] = [];
  for (const c of sorted.chunks) if (c.chunk === undefined) problems.push({ kind: 'tampered-chunk', chain: '?', message: `${c.where}: not a readable chunk (${c.error ?? 'malformed'})` });
  const report: EvidenceReport = {
    incidentId: set.incidentId,
    ok: false,
    manifests: sorted.manifests.length,
    chunks: 0,
    records: '0',
    signaturesChecked: trust.keys !== undefined,
    decrypted: trust.unwrap !== undefined,
    legacyRecords: sorted.legacy.length,
    partitions: [],
    problems,
  };
  let records = 0n;
  for (const { manifest, where } of sorted.manifests) {
    const before = problems.length;
    const chain = chainOf(manifest.stepKey, manifest.source.topic, manifest.source.partition);
    checkManifest(manifest, where, set.pinned, trust, problems);
    const chunks = sorted.chunks.flatMap((c) => (c.chunk !== undefined && chainOf(c.chunk.header.stepKey, c.chunk.header.topic, c.chunk.header.partition) === chain ? [c.chunk] : []));
    const listed = checkChunks(manifest, chunks, chain, problems);
    checkRecords(manifest, listed, chain, problems);
    if (trust.unwrap !== undefined) await checkDecrypted(listed, chain, trust.unwrap, problems);
    report.chunks += listed.length;
    records += BigInt(manifest.records);
    report.partitions.push({ topic: manifest.source.topic, partition: manifest.source.partition, records: manifest.records, chunks: listed.length, merkleRoot: manifest.merkleRoot, ok: problems.length === before });
  }
  for (const pin of set.pinned ?? []) {
    if (!sorted.manifests.some((m) => m.manifest.source.topic === pin.sourceTopic && m.manifest.source.partition === pin.partition)) {
      problems.push({ kind: 'manifest-missing', chain: `${pin.sourceTopic}|${pin.partition}`, message: `the audit topic records a manifest of ${pin.sourceTopic}/${pin.partition} that is not in the evidence` });
    }
  }
  // Chunks of this incident that no manifest covers: a second copy, or a window never finished.
  for (const c of sorted.chunks) {
    const h = c.chunk?.header;
    if (h === undefined) continue;
    if (!sorted.manifests.some((m) => chainOf(m.manifest.stepKey, m.manifest.source.topic, m.manifest.source.partition) === chainOf(h.stepKey, h.topic, h.partition))) {
      problems.push({ kind: 'manifest-missing', chain: chainOf(h.stepKey, h.topic, h.partition), message: `${c.where}: chunk ${h.seq} of ${h.topic}/${h.partition} has no manifest` });
    }
  }
  if (sorted.legacy.length > 0) {
    const legacy = verifyEvidenceRecords(sorted.legacy);
    if (!legacy.ok) problems.push({ kind: 'legacy-broken', chain: 'legacy', message: `legacy per-record evidence: ${legacy.message}` });
    records += BigInt(sorted.legacy.length);
  }
  report.records = records.toString();
  report.ok = problems.length === 0 && (report.manifests > 0 || report.legacyRecords > 0);
  return report;
}

function checkManifest(m: SignedManifest, where: string, pinned: EvidenceSet['pinned'], trust: EvidenceTrust, problems: EvidenceProblem[]): void {
  const chain = chainOf(m.stepKey, m.source.topic, m.source.partition);
  if (trust.keys !== undefined) {
    const sig = verifyManifestSignature(m, trust.keys);
    if (!sig.ok) problems.push({ kind: 'bad-signature', chain, message: `${where}: manifest of ${m.source.topic}/${m.source.partition}: ${sig.reason}` });
  }
  if (pinned !== undefined) {
    const pin = pinned.find((p) => p.sourceTopic === m.source.topic && p.partition === m.source.partition);
    if (pin === undefined || pin.manifestSha256 !== manifestDigest(m)) {
      problems.push({ kind: 'manifest-not-pinned', chain, message: `${where}: manifest of ${m.source.topic}/${m.source.partition} is not the one recorded on the audit topic` });
    }
  }
}

/** Matches chunks to the manifest's list: missing, duplicated, altered, unchained. */
function checkChunks(m: SignedManifest, chunks: ParsedChunk[], chain: string, problems: EvidenceProblem[]): ParsedChunk[] {
  const bySeq = new Map<number, ParsedChunk[]>();
  for (const c of chunks) bySeq.set(c.header.seq, [...(bySeq.get(c.header.seq) ?? []), c]);
  const listed: ParsedChunk[] = [];
  let prev = GENESIS_HASH;
  for (const entry of m.chunks) {
    const found = bySeq.get(entry.seq) ?? [];
    bySeq.delete(entry.seq);
    const match = found.find((c) => c.hash === entry.hash);
    if (found.length > 1) problems.push({ kind: 'duplicate-chunk', chain, message: `chunk ${entry.seq} appears ${found.length} times` });
    if (match === undefined) {
      problems.push(
        found.length === 0
          ? { kind: 'missing-chunk', chain, message: `chunk ${entry.seq} (offsets ${entry.firstOffset}..${entry.lastOffset}) is missing` }
          : { kind: 'tampered-chunk', chain, message: `chunk ${entry.seq} does not hash to the manifest's ${entry.hash.slice(0, 16)}…` },
      );
      prev = entry.hash;
      continue;
    }
    if (match.header.prevHash !== prev) problems.push({ kind: 'broken-chain', chain, message: `chunk ${entry.seq} does not link to chunk ${entry.seq - 1}` });
    prev = match.hash;
    listed.push(match);
  }
  if (prev !== m.chainHead) problems.push({ kind: 'broken-chain', chain, message: 'the last chunk is not the manifest\'s chain head' });
  for (const [seq] of bySeq) problems.push({ kind: 'duplicate-chunk', chain, message: `chunk ${seq} is not listed in the manifest` });
  return listed;
}

/** Offsets inside the ranges, strictly increasing, counts per range, and the Merkle root. */
function checkRecords(m: SignedManifest, chunks: ParsedChunk[], chain: string, problems: EvidenceProblem[]): void {
  let last = -1n;
  const perRange = m.ranges.map(() => 0n);
  for (const c of chunks) {
    for (const offset of c.offsets) {
      if (offset <= last) problems.push({ kind: 'duplicate-record', chain, message: `offset ${offset} preserved again after ${last}` });
      last = offset;
      const i = m.ranges.findIndex((r) => BigInt(r.from) <= offset && offset <= BigInt(r.to));
      if (i < 0) problems.push({ kind: 'gap', chain, message: `offset ${offset} lies outside the preserved window` });
      else perRange[i] = (perRange[i] ?? 0n) + 1n;
    }
  }
  m.ranges.forEach((r, i) => {
    if ((perRange[i] ?? 0n).toString() !== r.records) problems.push({ kind: 'gap', chain, message: `range ${r.from}..${r.to}: ${perRange[i] ?? 0n} records present, the manifest names ${r.records}` });
  });
  const root = merkleRoot(chunks.flatMap((c) => c.recordHashes)).toString('hex');
  if (root !== m.merkleRoot) problems.push({ kind: 'merkle-mismatch', chain, message: `Merkle root of the chunks' record hashes is ${root.slice(0, 16)}…, the manifest signs ${m.merkleRoot.slice(0, 16)}…` });
}

async function checkDecrypted(chunks: ParsedChunk[], chain: string, unwrap: NonNullable<EvidenceTrust['unwrap']>, problems: EvidenceProblem[]): Promise<void> {
  for (const c of chunks) {
    let key: Buffer;
    try {
      key = await unwrap(c.header.transitKey, c.header.wrappedKey);
    } catch (err) {
      problems.push({ kind: 'decrypt-failed', chain, message: `chunk ${c.header.seq}: data key not unwrapped (${(err as Error).message})` });
      continue;
    }
    try {
      const records = openChunk(c, key);
      records.forEach((r, i) => {
        if (!recordHash(c.header.topic, c.header.partition, r).equals(c.recordHashes[i] as Buffer)) {
          problems.push({ kind: 'record-hash-mismatch', chain, message: `chunk ${c.header.seq}: record at offset ${r.offset} does not match its hash` });
        }
      });
    } catch (err) {
      const why = err instanceof ChunkFormatError ? err.message : 'authentication failed (altered, or the wrong key)';
      problems.push({ kind: 'decrypt-failed', chain, message: `chunk ${c.header.seq}: ${why}` });
    } finally {
      key.fill(0);
    }
  }
}

/** A self-contained Merkle inclusion proof of one source record. */
export interface InclusionProof {
  format: 'breachline-evidence-proof/1';
  incidentId: string;
  topic: string;
  partition: number;
  offset: string;
  /** Hex SHA-256 of the record (docs/evidence-format.md §3). */
  recordHash: string;
  leafIndex: number;
  treeSize: number;
  /** Hex sibling hashes, bottom-up (RFC 6962 audit path). */
  path: string[];
  /** The signed manifest whose `merkleRoot` the path leads to. */
  manifest: SignedManifest;
}

/** Builds the proof of `topic/partition@offset` from an incident's evidence. */
export function proveRecord(set: EvidenceSet, topic: string, partition: number, offset: bigint): InclusionProof {
  const sorted = sort(set);
  const m = sorted.manifests.find((x) => x.manifest.source.topic === topic && x.manifest.source.partition === partition)?.manifest;
  if (m === undefined) throw new Error(`no manifest of ${topic}/${partition} in incident ${set.incidentId}'s evidence`);
  const chain = chainOf(m.stepKey, topic, partition);
  const problems: EvidenceProblem[] = [];
  const chunks = checkChunks(m, sorted.chunks.flatMap((c) => (c.chunk !== undefined && chainOf(c.chunk.header.stepKey, c.chunk.header.topic, c.chunk.header.partition) === chain ? [c.chunk] : [])), chain, problems);
  if (problems.length > 0) throw new Error(`cannot prove from damaged evidence: ${problems[0]?.message ?? ''}`);
  const hashes = chunks.flatMap((c) => c.recordHashes);
  const offsets = chunks.flatMap((c) => c.offsets);
  const index = offsets.findIndex((o) => o === offset);
  if (index < 0) throw new Error(`${topic}/${partition}@${offset} is not in the preserved evidence`);
  return {
    format: 'breachline-evidence-proof/1',
    incidentId: set.incidentId,
    topic,
    partition,
    offset: offset.toString(),
    recordHash: (hashes[index] as Buffer).toString('hex'),
    leafIndex: index,
    treeSize: hashes.length,
    path: inclusionProof(hashes, index).map((h) => h.toString('hex')),
    manifest: m,
  };
}

/** Checks a proof: path to the manifest's root, the manifest's signature, and optionally the record's own hash. */
export function checkProof(proof: InclusionProof, keys: PublicKeyRing | undefined, recordHashHex?: string): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  if (proof.format !== 'breachline-evidence-proof/1') problems.push(`unknown proof format ${String(proof.format)}`);
  if (recordHashHex !== undefined && recordHashHex !== proof.recordHash) problems.push('the record does not hash to the proven record hash');
  if (proof.manifest.source.topic !== proof.topic || proof.manifest.source.partition !== proof.partition) problems.push('the manifest is of another partition');
  const root = Buffer.from(proof.manifest.merkleRoot, 'hex');
  const ok = verifyInclusion(Buffer.from(proof.recordHash, 'hex'), proof.leafIndex, proof.treeSize, proof.path.map((p) => Buffer.from(p, 'hex')), root);
  if (!ok) problems.push('the audit path does not lead to the manifest\'s Merkle root');
  if (String(proof.treeSize) !== proof.manifest.records) problems.push(`tree size ${proof.treeSize} is not the manifest's ${proof.manifest.records} records`);
  if (keys !== undefined) {
    const sig = verifyManifestSignature(proof.manifest, keys);
    if (!sig.ok) problems.push(`manifest signature: ${sig.reason}`);
  } else problems.push('manifest signature not checked: no public key');
  return { ok: problems.length === 0, problems };
}
