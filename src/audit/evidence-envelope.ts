import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { GENESIS_HASH } from '../domain/audit-chain';
import { canonicalJson } from '../domain/canonical-json';

/**
 * The evidence record: one copy of one source record, as written to the evidence topic.
 *
 * - `source` names where the original lives (topic, partition, offset, timestamp).
 * - `sha256` is the hash of the original key, value and headers in the unambiguous encoding of
 *   {@link encodePayload}; anyone holding the original record can recompute it.
 * - `enc` carries that same encoding encrypted with AES-256-GCM under a data key generated for
 *   the chunk. The data key itself is stored only wrapped by Vault transit (`wrappedKey`), so the
 *   payload can be read back only by someone allowed to decrypt with the transit key (envelope
 *   encryption). The GCM additional data binds the ciphertext to its step and source coordinates:
 *   moving a ciphertext onto another record makes decryption fail.
 * - `prevHash`/`hash` chain the records of one (step, source topic, partition):
 *   `hash = sha256(prevHash ‖ canonicalJSON(record without prevHash and hash))`, like the audit
 *   chain, so a removed, reordered or altered copy is detected.
 *
 * Nothing in clear text comes from the source record except its coordinates and timestamp.
 */

/** Version of the record layout. */
export const EVIDENCE_RECORD_VERSION = 1;

/** Where the original record lives. Offsets and timestamps are int64 decimal strings. */
export interface SourceCoordinates {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
}

/** The encrypted payload. Binary fields are base64. */
export interface EncryptedPayload {
  alg: 'A256GCM';
  /** Vault transit key that wraps the data key. */
  transitKey: string;
  /** The chunk's data key, encrypted by Vault transit (`vault:vN:…`). */
  wrappedKey: string;
  iv: string;
  tag: string;
  data: string;
}

/** One evidence record as stored (JSON value). */
export interface EvidenceRecord {
  v: typeof EVIDENCE_RECORD_VERSION;
  kind: 'evidence';
  incidentId: string;
  stepKey: string;
  source: SourceCoordinates;
  sha256: string;
  enc: EncryptedPayload;
  prevHash: string;
  hash: string;
}

/** An original record's parts. */
export interface SourcePayload {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, Buffer]>;
}

function lengthPrefixed(parts: Buffer[], b: Buffer | null): void {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b === null ? -1 : b.length);
  parts.push(len);
  if (b !== null) parts.push(b);
}

/**
 * The bytes that are hashed and encrypted: int32 key length (-1 = null) + key, int32 value
 * length (-1 = null) + value, int32 header count, then per header int32 name length + UTF-8
 * name + int32 value length + value. Every field is length-prefixed, so no two different records
 * encode to the same bytes.
 */
export function encodePayload(payload: SourcePayload): Buffer {
  const parts: Buffer[] = [];
  lengthPrefixed(parts, payload.key);
  lengthPrefixed(parts, payload.value);
  const count = Buffer.alloc(4);
  count.writeInt32BE(payload.headers.length);
  parts.push(count);
  for (const [name, value] of payload.headers) {
    lengthPrefixed(parts, Buffer.from(name, 'utf8'));
    lengthPrefixed(parts, value);
  }
  return Buffer.concat(parts);
}

/** Inverse of {@link encodePayload}. */
export function decodePayload(bytes: Buffer): SourcePayload {
  let at = 0;
  const take = (): Buffer | null => {
    const len = bytes.readInt32BE(at);
    at += 4;
    if (len < 0) return null;
    if (at + len > bytes.length) throw new RangeError('evidence payload truncated');
    const b = bytes.subarray(at, at + len);
    at += len;
    return b;
  };
  const key = take();
  const value = take();
  const count = bytes.readInt32BE(at);
  at += 4;
  const headers: Array<[string, Buffer]> = [];
  for (let i = 0; i < count; i++) {
    const name = take();
    const v = take();
    headers.push([name?.toString('utf8') ?? '', v ?? Buffer.alloc(0)]);
  }
  return { key, value, headers };
}

/** Hex sha256. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function additionalData(stepKey: string, source: SourceCoordinates): Buffer {
  return Buffer.from(canonicalJson({ stepKey, topic: source.topic, partition: source.partition, offset: source.offset }), 'utf8');
}

/**
 * Encrypts one payload under a chunk's data key. `nonce` must never repeat for one data key: the
 * replay passes the record's index within its chunk (each chunk has its own key), which is
 * cheaper than 12 random bytes per record and unique by construction. Without it, the IV is random.
 */
export function encryptPayload(
  dataKey: Buffer,
  wrapped: { transitKey: string; wrappedKey: string },
  stepKey: string,
  source: SourceCoordinates,
  plaintext: Buffer,
  nonce?: number,
): EncryptedPayload {
  let iv: Buffer;
  if (nonce === undefined) iv = randomBytes(12);
  else {
    iv = Buffer.alloc(12);
    iv.writeUIntBE(nonce, 6, 6);
  }
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(additionalData(stepKey, source));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { alg: 'A256GCM', ...wrapped, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Decrypts a record's payload with its (already unwrapped) data key. Throws when it was altered. */
export function decryptPayload(dataKey: Buffer, record: Pick<EvidenceRecord, 'stepKey' | 'source' | 'enc'>): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(record.enc.iv, 'base64'));
  decipher.setAAD(additionalData(record.stepKey, record.source));
  decipher.setAuthTag(Buffer.from(record.enc.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(record.enc.data, 'base64')), decipher.final()]);
}

const str = JSON.stringify;

/**
 * canonicalJSON of a well-formed record, written out by hand for the replay's hot path (the
 * generic serializer costs a third of a record's CPU). Keys in sorted order at every level; the
 * chain fields are added only for the stored value. A unit test holds it equal to
 * `canonicalJson`; anything not of the exact shape goes through the generic one.
 */
function fastCanonical(r: Omit<EvidenceRecord, 'prevHash' | 'hash'>, chain?: { prevHash: string; hash: string }): string {
  const e = r.enc;
  const s = r.source;
  return (
    `{"enc":{"alg":${str(e.alg)},"data":${str(e.data)},"iv":${str(e.iv)},"tag":${str(e.tag)},"transitKey":${str(e.transitKey)},"wrappedKey":${str(e.wrappedKey)}}` +
    (chain === undefined ? '' : `,"hash":${str(chain.hash)}`) +
    `,"incidentId":${str(r.incidentId)},"kind":${str(r.kind)}` +
    (chain === undefined ? '' : `,"prevHash":${str(chain.prevHash)}`) +
    `,"sha256":${str(r.sha256)},"source":{"offset":${str(s.offset)},"partition":${str(s.partition)},"timestamp":${str(s.timestamp)},"topic":${str(s.topic)}}` +
    `,"stepKey":${str(r.stepKey)},"v":${str(r.v)}}`
  );
}

const ENC_KEYS = 'alg,data,iv,tag,transitKey,wrappedKey';
const SOURCE_KEYS = 'offset,partition,timestamp,topic';
const CONTENT_KEYS = 'enc,incidentId,kind,sha256,source,stepKey,v';

function hasExactShape(r: Record<string, unknown>): boolean {
  const keys = (o: unknown): string => (typeof o === 'object' && o !== null ? Object.keys(o).sort().join(',') : '');
  const strings = (o: Record<string, unknown>, names: string[]): boolean => names.every((n) => typeof o[n] === 'string');
  const enc = r.enc as Record<string, unknown> | undefined;
  const source = r.source as Record<string, unknown> | undefined;
  return (
    keys(r) === CONTENT_KEYS &&
    keys(enc) === ENC_KEYS &&
    keys(source) === SOURCE_KEYS &&
    strings(r, ['incidentId', 'kind', 'sha256', 'stepKey']) &&
    r.v === EVIDENCE_RECORD_VERSION &&
    strings(enc as Record<string, unknown>, ENC_KEYS.split(',')) &&
    strings(source as Record<string, unknown>, ['offset', 'timestamp', 'topic']) &&
    Number.isSafeInteger((source as Record<string, unknown>).partition)
  );
}

/** canonicalJSON of a record's content (without `prevHash`/`hash`). */
export function evidenceContentJson(record: Omit<EvidenceRecord, 'prevHash' | 'hash'> & { prevHash?: string; hash?: string }): string {
  const { prevHash: _p, hash: _h, ...content } = record;
  return hasExactShape(content as unknown as Record<string, unknown>) ? fastCanonical(content) : canonicalJson(content);
}

/** The chain hash of a record (its `prevHash` and `hash` fields excluded from the content). */
export function hashEvidence(record: Omit<EvidenceRecord, 'prevHash' | 'hash'> & { prevHash?: string; hash?: string }, prevHash: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(evidenceContentJson(record), 'utf8').digest('hex');
}

/** Seals a record onto its chain. */
export function sealEvidence(record: Omit<EvidenceRecord, 'prevHash' | 'hash'>, prevHash: string): EvidenceRecord {
  return { ...record, prevHash, hash: hashEvidence(record, prevHash) };
}

/**
 * Seals a record built by the replay itself (always of the exact shape) and returns it with its
 * stored JSON value, serialising once for both the hash and the value.
 */
export function sealEvidenceValue(record: Omit<EvidenceRecord, 'prevHash' | 'hash'>, prevHash: string): { record: EvidenceRecord; value: string } {
  const hash = createHash('sha256').update(prevHash, 'utf8').update(fastCanonical(record), 'utf8').digest('hex');
  return { record: { ...record, prevHash, hash }, value: fastCanonical(record, { prevHash, hash }) };
}

/**
 * One step of the digest reported in `EvidencePreserved`: a hash chain over the range's payload
 * hashes in offset order, starting from {@link GENESIS_HASH}. Being a fold (not one sha256 over a
 * concatenation) it resumes from a checkpoint, and it does not depend on how the replay was cut
 * into chunks, so a resumed replay reports the same digest as an uninterrupted one.
 */
export function foldDigest(digest: string, payloadSha256: string): string {
  return createHash('sha256').update(digest, 'utf8').update(payloadSha256, 'utf8').digest('hex');
}

/** The digest of a whole range from its payload hashes. */
export function rangeDigest(payloadHashes: Iterable<string>): string {
  let d = GENESIS_HASH;
  for (const h of payloadHashes) d = foldDigest(d, h);
  return d;
}

/** Parses an evidence record value; undefined when it is not one. */
export function parseEvidenceRecord(value: Buffer | null): EvidenceRecord | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const r = parsed as Partial<EvidenceRecord>;
  if (r.kind !== 'evidence' || typeof r.stepKey !== 'string' || typeof r.hash !== 'string' || typeof r.prevHash !== 'string') return undefined;
  if (typeof r.source !== 'object' || r.source === null || typeof r.source.offset !== 'string' || typeof r.source.topic !== 'string') return undefined;
  return r as EvidenceRecord;
}

/** The verdict of {@link verifyEvidenceRecords}. */
export type EvidenceVerification =
  | { ok: true; records: number; chains: Record<string, { records: number; lastOffset: string; hash: string }> }
  | { ok: false; index: number; reason: 'malformed' | 'tampered' | 'broken-link' | 'duplicate' | 'reorder'; message: string };

/** Chain id of a record: step, source topic and partition. */
export function chainId(r: Pick<EvidenceRecord, 'stepKey' | 'source'>): string {
  return `${r.stepKey}|${r.source.topic}|${r.source.partition}`;
}

/**
 * Verifies evidence records in topic order: every record hashes to its `hash`, links to the
 * previous record of its chain, and its source offset is strictly greater (no copy twice, no
 * reorder). Gaps in source offsets are not judged here: they are legitimate between ranges; the
 * caller compares counts with the forensic window.
 */
export function verifyEvidenceRecords(values: ReadonlyArray<EvidenceRecord | undefined>): EvidenceVerification {
  const chains = new Map<string, { records: number; lastOffset: bigint; hash: string }>();
  for (let index = 0; index < values.length; index++) {
    const r = values[index];
    if (r === undefined) return { ok: false, index, reason: 'malformed', message: `record ${index} is not an evidence record` };
    if (hashEvidence(r, r.prevHash) !== r.hash) return { ok: false, index, reason: 'tampered', message: `record ${index} does not hash to its hash` };
    const id = chainId(r);
    const c = chains.get(id) ?? { records: 0, lastOffset: -1n, hash: GENESIS_HASH };
    const offset = BigInt(r.source.offset);
    if (offset <= c.lastOffset) {
      const reason = offset === c.lastOffset ? 'duplicate' : 'reorder';
      return { ok: false, index, reason, message: `record ${index}: source offset ${offset} after ${c.lastOffset} in chain ${id}` };
    }
    if (r.prevHash !== c.hash) return { ok: false, index, reason: 'broken-link', message: `record ${index}: prevHash does not match the previous record of chain ${id}` };
    chains.set(id, { records: c.records + 1, lastOffset: offset, hash: r.hash });
  }
  const out: Record<string, { records: number; lastOffset: string; hash: string }> = {};
  for (const [id, c] of chains) out[id] = { records: c.records, lastOffset: c.lastOffset.toString(), hash: c.hash };
  return { ok: true, records: values.length, chains: out };
}
