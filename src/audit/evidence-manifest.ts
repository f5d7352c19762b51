import { createHash, verify as verifyEd25519 } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json';
import type { PublicKeyRing } from '../domain/audit-checkpoint';

/**
 * The manifest of one preserved partition window (docs/evidence-format.md §4): which chunks make
 * it up, how many records, the RFC 6962 Merkle root of their record hashes and the transit key
 * versions that wrap their data keys. It is signed through Vault transit (ed25519, the private key
 * never leaves Vault), written after the last chunk on the same evidence partition, and its digest
 * and signature are recorded as an `EvidenceManifestSigned` event on the audit topic, so replacing
 * a manifest on the evidence topic is caught against the audit chain.
 */

/** Transit key (ed25519) that signs evidence manifests. */
export const EVIDENCE_SIGNING_KEY = 'breachline-evidence-signing';
/** `kind` of a manifest record. */
export const MANIFEST_KIND = 'evidence-manifest';

/** One chunk as the manifest lists it. */
export interface ManifestChunk {
  seq: number;
  /** Offset of the chunk's Kafka record on the evidence partition. */
  evidenceOffset: string;
  firstOffset: string;
  lastOffset: string;
  records: number;
  /** Hex chunk hash (its chain link). */
  hash: string;
}

/** The signed content. Decimal strings for int64 values. */
export interface ManifestBody {
  v: 1;
  kind: typeof MANIFEST_KIND;
  incidentId: string;
  stepKey: string;
  evidenceTopic: string;
  evidencePartition: number;
  source: { topic: string; partition: number };
  /** The forensic window's ranges, inclusive, with the records preserved from each. */
  ranges: Array<{ from: string; to: string; records: string }>;
  records: string;
  /** Key, value and header bytes of the source records. */
  sourceBytes: string;
  /** Hex RFC 6962 root over the record hashes, in offset order. */
  merkleRoot: string;
  /** Hash of the last chunk. */
  chainHead: string;
  chunks: ManifestChunk[];
  /** `<transit key>:v<version>` of every data key wrapper used. */
  keyIds: string[];
  signingKey: string;
}

/** A manifest with its signature (`vault:vN:<base64>`) over {@link manifestSigningInput}. */
export interface SignedManifest extends ManifestBody {
  signature: string;
}

/** The exact bytes signed: RFC 8785 canonical JSON of the body (no `signature`). */
export function manifestSigningInput(body: ManifestBody): Buffer {
  const { signature: _omit, ...rest } = body as SignedManifest;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** Hex SHA-256 of a manifest as stored (canonical JSON including the signature). */
export function manifestDigest(manifest: SignedManifest): string {
  return createHash('sha256').update(canonicalJson(manifest), 'utf8').digest('hex');
}

/** The Kafka value of a manifest record. */
export function manifestValue(manifest: SignedManifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

/** Parses a manifest record value; undefined when it is not one. */
export function parseManifest(value: Buffer | null): SignedManifest | undefined {
  if (value === null || value[0] !== 0x7b) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  const m = parsed as Partial<SignedManifest> | null;
  if (m === null || typeof m !== 'object' || m.kind !== MANIFEST_KIND || typeof m.signature !== 'string' || !Array.isArray(m.chunks) || typeof m.merkleRoot !== 'string') return undefined;
  return m as SignedManifest;
}

/** The transit key id of a wrapped data key (`vault:v3:…` under key k → `k:v3`). */
export function keyIdOf(transitKey: string, wrappedKey: string): string {
  const m = /^vault:v(\d+):/.exec(wrappedKey);
  return `${transitKey}:v${m?.[1] ?? '?'}`;
}

const SIGNATURE = /^vault:v(\d+):([A-Za-z0-9+/=]+)$/;

/** Checks a manifest's signature against trusted public keys (offline: no Vault needed). */
export function verifyManifestSignature(manifest: SignedManifest, keys: PublicKeyRing): { ok: true } | { ok: false; reason: string } {
  const m = SIGNATURE.exec(manifest.signature);
  if (!m || m[1] === undefined || m[2] === undefined) return { ok: false, reason: 'signature is not vault:vN:<base64>' };
  const key = keys.get(Number(m[1])) ?? keys.get(0);
  if (key === undefined) return { ok: false, reason: `no trusted public key for key version ${m[1]}` };
  const signature = Buffer.from(m[2], 'base64');
  if (signature.length !== 64 || !verifyEd25519(null, manifestSigningInput(manifest), key, signature)) return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
