import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultState } from './state';

/*
 * Snapshot persistence: after every request that changed something, the whole state is written to
 * a temporary file and renamed over `state.json`, so a crash leaves either the old or the new
 * snapshot, never half of one. The state is small (a sandbox), so rewriting it is cheaper to reason
 * about than a journal with compaction.
 */

const FILE = 'state.json';

/** Reads the snapshot in `dir`, or undefined when there is none yet. */
export function loadSnapshot(dir: string): VaultState | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // Every JSON object comes back without a prototype, like the dictionaries it was saved from.
  const parsed = JSON.parse(text, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.assign(Object.create(null) as object, value) : value,
  ) as VaultState;
  if (parsed.version !== 1) throw new Error(`unsupported vault sandbox snapshot version ${String(parsed.version)}`);
  return parsed;
}

/** Atomically replaces the snapshot in `dir`. */
export function saveSnapshot(dir: string, state: VaultState): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, join(dir, FILE));
}
