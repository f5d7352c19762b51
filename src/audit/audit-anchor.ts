import type { SecretsPort } from '../vault/port';
import { isVaultError } from '../vault/errors';

/**
 * The anchor of the audit topic outside Kafka (design §3): a Vault KV v2 secret holding where the
 * topic's signed checkpoints begin and where the newest one is. Kafka super users can delete,
 * truncate or recreate the topic; they cannot move this record back, because it lives in another
 * system with its own access control and version history, and every write uses check-and-set so
 * two writers never overwrite each other's progress. `verify` compares the topic with it.
 */

/** Default KV path of a topic's anchor (inside the KV v2 mount). */
export function defaultAnchorPath(topic: string): string {
  return `breachline/audit-anchor/${topic}`;
}

/** What the anchor remembers about a topic. */
export interface AuditAnchor {
  topic: string;
  /** Offset of the first checkpoint ever written: the log must still start at or before it. */
  firstCheckpointOffset: string;
  /** Offset of the newest anchored checkpoint: the topic must still hold it, unchanged. */
  lastCheckpointOffset: string;
  /** That checkpoint's signature, so a recreated topic with a forged record there is told apart. */
  lastCheckpointSignature: string;
  updatedAt: string;
}

/** A checkpoint to anchor: its topic offset and signature. */
export interface AnchorPoint {
  offset: bigint;
  signature: string;
}

/** Reads the anchor; `undefined` when none was written yet. */
export async function readAnchor(secrets: SecretsPort, path: string): Promise<AuditAnchor | undefined> {
  try {
    const secret = await secrets.readSecret(path);
    return parseAnchor(secret.data);
  } catch (err) {
    if (isVaultError(err, 'not-found')) return undefined;
    throw err;
  }
}

function parseAnchor(data: Readonly<Record<string, unknown>>): AuditAnchor {
  const field = (name: keyof AuditAnchor): string => {
    const v = data[name];
    if (typeof v !== 'string') throw new Error(`audit anchor has no ${name}`);
    return v;
  };
  return {
    topic: field('topic'),
    firstCheckpointOffset: field('firstCheckpointOffset'),
    lastCheckpointOffset: field('lastCheckpointOffset'),
    lastCheckpointSignature: field('lastCheckpointSignature'),
    updatedAt: field('updatedAt'),
  };
}

/**
 * Moves the anchor forward to `point` (never back), keeping the first checkpoint once set.
 * Check-and-set on the version read; on a lost race it reads again (a concurrent writer may have
 * anchored further already, which is fine).
 */
export async function advanceAnchor(secrets: SecretsPort, path: string, topic: string, first: bigint, point: AnchorPoint, now: () => Date): Promise<AuditAnchor> {
  for (let attempt = 0; ; attempt++) {
    let current: AuditAnchor | undefined;
    let version = 0;
    try {
      const secret = await secrets.readSecret(path);
      current = parseAnchor(secret.data);
      version = secret.version;
    } catch (err) {
      if (!isVaultError(err, 'not-found')) throw err;
    }
    if (current !== undefined && BigInt(current.lastCheckpointOffset) >= point.offset) return current;
    const next: AuditAnchor = {
      topic,
      firstCheckpointOffset: current?.firstCheckpointOffset ?? String(first),
      lastCheckpointOffset: String(point.offset),
      lastCheckpointSignature: point.signature,
      updatedAt: now().toISOString(),
    };
    try {
      await secrets.writeSecret(path, { ...next }, { cas: version });
      return next;
    } catch (err) {
      if (!isVaultError(err, 'cas-mismatch') || attempt >= 4) throw err;
    }
  }
}
