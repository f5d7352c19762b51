import { appendFileSync, chmodSync, renameSync, writeFileSync } from 'node:fs';

/** Owner read/write only: files that hold tokens, signing secrets or the calls that carried them. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Writes a file only its owner can read, atomically (temp file, then rename), so a crash mid-write
 * keeps the old content. The mode is set explicitly as well: `mode` on open applies only when the
 * file is created, and a temp file left behind by a crash may already exist with another mode.
 */
export function writePrivateFileSync(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, path);
}

/** Appends to a file only its owner can read; an existing file is narrowed to that mode first. */
export function appendPrivateFileSync(path: string, data: string): void {
  appendFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}
