import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readAnchor, defaultAnchorPath, type AuditAnchor } from '../../audit/audit-anchor';
import { AUDIT_SIGNING_KEY } from '../../audit/audit-writer';
import { ed25519FromRaw, type PublicKeyRing } from '../../domain/audit-checkpoint';
import { isVaultError } from '../../vault/errors';
import type { SecretsPort, SigningKeyInfo } from '../../vault/port';

/**
 * Where `audit verify` gets what it trusts: the public key (a file for offline verification, or
 * Vault) and the anchor (a file, or Vault KV). Nothing here needs the private key.
 *
 * Public-key files: either Vault's export format — `{"name", "type": "ed25519", "keys": {"1":
 * "<base64 raw 32-byte key>", …}}`, as `breachline audit public-key` writes it and
 * `GET transit/export/public-key/<name>` answers — or one PEM `PUBLIC KEY` (SPKI), trusted for
 * every key version.
 */

/** Flags that choose the trust sources. */
export interface TrustFlags {
  publicKey?: string;
  anchor?: string;
  signingKey?: string;
  anchorPath?: string;
}

/** Parses a public-key file's text (Vault export JSON or PEM). */
export function parsePublicKeys(text: string): PublicKeyRing {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { type?: unknown; keys?: unknown; data?: { keys?: unknown; type?: unknown } };
    const body = parsed.data ?? parsed;
    if (body.type !== undefined && body.type !== 'ed25519') throw new Error(`public key file: key type ${String(body.type)}, expected ed25519`);
    if (typeof body.keys !== 'object' || body.keys === null) throw new Error('public key file: no "keys" object');
    const ring = new Map<number, KeyObject>();
    for (const [version, raw] of Object.entries(body.keys as Record<string, unknown>)) {
      if (!/^\d+$/.test(version) || typeof raw !== 'string') throw new Error(`public key file: key version ${version} is not a base64 string`);
      ring.set(Number(version), ed25519FromRaw(raw));
    }
    if (ring.size === 0) throw new Error('public key file: no keys');
    return ring;
  }
  if (trimmed.includes('-----BEGIN PUBLIC KEY-----')) {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`public key file: ${key.asymmetricKeyType ?? 'unknown'} key, expected ed25519`);
    return new Map([[0, key]]);
  }
  throw new Error('public key file: neither Vault export JSON nor a PEM public key');
}

/** The PEM (SPKI) of each version's raw ed25519 key. */
export function publicKeysPem(info: SigningKeyInfo): string {
  return Object.entries(info.publicKeys)
    .map(([, raw]) => ed25519FromRaw(raw).export({ format: 'pem', type: 'spki' }).toString())
    .join('');
}

/** Vault's export format for the signing key. */
export function publicKeysExport(info: SigningKeyInfo): { name: string; type: string; keys: Record<string, string> } {
  return { name: info.name, type: info.type, keys: Object.fromEntries(Object.entries(info.publicKeys).map(([n, k]) => [n, k])) };
}

/** Resolves keys and anchor from files first, Vault second; absent when neither is available. */
export async function resolveTrust(flags: TrustFlags, topic: string, secrets: SecretsPort | undefined): Promise<{ keys?: PublicKeyRing; anchor?: AuditAnchor | null }> {
  const out: { keys?: PublicKeyRing; anchor?: AuditAnchor | null } = {};
  if (flags.publicKey !== undefined) out.keys = parsePublicKeys(await readFile(flags.publicKey, 'utf8'));
  else if (secrets !== undefined) {
    const info = await secrets.publicKeys(flags.signingKey ?? AUDIT_SIGNING_KEY).catch((err: unknown) => {
      // No key in Vault: nothing was ever signed with it; verify reports signatures as not checked
      // (and fails a topic that carries checkpoints anyway).
      if (isVaultError(err, 'not-found')) return undefined;
      throw new Error(`cannot read the audit signing key from Vault: ${(err as Error).message}`);
    });
    if (info !== undefined) out.keys = new Map(Object.entries(info.publicKeys).map(([n, raw]) => [Number(n), ed25519FromRaw(raw)]));
  }
  if (flags.anchor !== undefined) out.anchor = JSON.parse(await readFile(flags.anchor, 'utf8')) as AuditAnchor;
  else if (secrets !== undefined) out.anchor = (await readAnchor(secrets, flags.anchorPath ?? defaultAnchorPath(topic))) ?? null;
  return out;
}
