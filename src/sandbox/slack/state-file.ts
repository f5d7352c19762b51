import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileSync } from '../../security/private-file';
import type { WorkspaceState } from './workspace';

/** The workspace snapshot inside the sandbox data directory. */
export const STATE_FILE = 'slack-workspace.json';

/** What survives a restart: the workspace and the credentials clients were given. */
export interface SavedSlackSandbox {
  readonly botToken: string;
  readonly signingSecret: string;
  /** Socket Mode's app-level token (absent in snapshots of earlier versions). */
  readonly appToken?: string;
  readonly workspace: WorkspaceState;
}

/** Reads a saved sandbox, or undefined when the directory has none. */
export function loadSavedSandbox(dataDir: string): SavedSlackSandbox | undefined {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SavedSlackSandbox;
}

/**
 * Writes the snapshot atomically (temp file, then rename) so a crash mid-write keeps the old one,
 * readable by its owner only: it holds the bot token and the signing secret.
 */
export function saveSandbox(dataDir: string, saved: SavedSlackSandbox): void {
  writePrivateFileSync(join(dataDir, STATE_FILE), JSON.stringify(saved));
}
