import { createPublicKey, verify as verifyEd25519, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Signed checkpoints of the audit topic (design §3). After every append the writer puts, per
 * incident it touched, one checkpoint record on the topic:
 *
 * ```jsonc
 * { "kind": "audit-checkpoint", "v": 1, "incidentId": "…", "lastSeq": 12, "lastHash": "<hex>",
 *   "topicOffset": "345", "signature": "vault:v1:<base64 ed25519 signature>" }
 * ```
 *
 * The signature is Vault transit's ed25519 signature over the UTF-8 bytes of the canonical JSON
 * (RFC 8785) of the record WITHOUT `signature` ({@link checkpointSigningInput}). `topicOffset` is
 * the offset of the incident's record with `lastSeq` (a decimal string, as Kafka offsets are
 * int64). The `vault:vN:` prefix names the key version, so a rotated key still verifies older
 * checkpoints. Like the events, this module uses `node:crypto` and is not for workflow code.
 */

/** The `kind` of a checkpoint record; events have no `kind`. */
export const CHECKPOINT_KIND = 'audit-checkpoint';

/** A checkpoint as it is signed (everything but the signature). */
export interface CheckpointBody {
  kind: typeof CHECKPOINT_KIND;
  v: 1;
  incidentId: string;
  lastSeq: number;
  lastHash: string;
  topicOffset: string;
}

/** A checkpoint record as stored on the topic. */
export interface SignedCheckpoint extends CheckpointBody {
  signature: string;
}

/** The bytes the transit key signs: canonical JSON of the checkpoint without its signature. */
export function checkpointSigningInput(body: CheckpointBody): Buffer {
  const { kind, v, incidentId, lastSeq, lastHash, topicOffset } = body;
  return Buffer.from(canonicalJson({ kind, v, incidentId, lastSeq, lastHash, topicOffset }), 'utf8');
}

/** Builds the body of a checkpoint. */
export function checkpointBody(incidentId: string, lastSeq: number, lastHash: string, topicOffset: bigint | string): CheckpointBody {
  return { kind: CHECKPOINT_KIND, v: 1, incidentId, lastSeq, lastHash, topicOffset: String(topicOffset) };
}

/** Whether a record value claims to be a checkpoint (it may still be malformed: see {@link parseCheckpoint}). */
export function isCheckpointRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === CHECKPOINT_KIND;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SIGNATURE = /^vault:v(\d+):([A-Za-z0-9+/]+={0,2})$/;

/** Parses a checkpoint record, or says why it is not one. */
export function parseCheckpoint(value: unknown): { ok: true; checkpoint: SignedCheckpoint } | { ok: false; reason: string } {
  if (!isCheckpointRecord(value)) return { ok: false, reason: 'not a checkpoint' };
  const o = value as Record<string, unknown>;
  if (o.v !== 1) return { ok: false, reason: `unknown checkpoint version ${String(o.v)}` };
  if (typeof o.incidentId !== 'string' || o.incidentId === '') return { ok: false, reason: 'checkpoint without incidentId' };
  if (typeof o.lastSeq !== 'number' || !Number.isSafeInteger(o.lastSeq) || o.lastSeq < 1) return { ok: false, reason: 'checkpoint lastSeq is not a positive integer' };
  if (typeof o.lastHash !== 'string' || !HEX64.test(o.lastHash)) return { ok: false, reason: 'checkpoint lastHash is not 64 hex digits' };
  if (typeof o.topicOffset !== 'string' || !/^\d+$/.test(o.topicOffset)) return { ok: false, reason: 'checkpoint topicOffset is not a decimal offset' };
  if (typeof o.signature !== 'string') return { ok: false, reason: 'checkpoint without signature' };
  const extra = Object.keys(o).filter((k) => !['kind', 'v', 'incidentId', 'lastSeq', 'lastHash', 'topicOffset', 'signature'].includes(k));
  if (extra.length > 0) return { ok: false, reason: `checkpoint has unsigned fields: ${extra.join(', ')}` };
  return { ok: true, checkpoint: o as unknown as SignedCheckpoint };
}

/** Trusted public keys by key version (`0` = one key for every version, e.g. a single PEM). */
export type PublicKeyRing = ReadonlyMap<number, KeyObject>;

// SPKI DER of an ed25519 key: this 12-byte header, then the raw 32-byte key.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A KeyObject from Vault's raw base64 ed25519 public key. */
export function ed25519FromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new TypeError('an ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Checks a checkpoint's `vault:vN:` signature with the public key of version N. */
export function verifyCheckpointSignature(checkpoint: SignedCheckpoint, keys: PublicKeyRing): { ok: true } | { ok: false; reason: string } {
  const m = SIGNATURE.exec(checkpoint.signature);
  if (!m || m[1] === undefined || m[2] === undefined) return { ok: false, reason: 'signature is not vault:vN:<base64>' };
  const key = keys.get(Number(m[1])) ?? keys.get(0);
  if (key === undefined) return { ok: false, reason: `no trusted public key for key version ${m[1]}` };
  const signature = Buffer.from(m[2], 'base64');
  if (signature.length !== 64 || !verifyEd25519(null, checkpointSigningInput(checkpoint), key, signature)) return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
