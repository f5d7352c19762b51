import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { MessageRef } from '../conversation-port';
import type { CardStore } from './card-conversation';

/**
 * A {@link CardStore} kept in a JSON file (under the data directory), so a restarted app edits
 * the cards it posted before instead of posting new ones. Written whole, through a rename.
 */
export class FileCardStore implements CardStore {
  private readonly refs: Map<string, MessageRef>;

  constructor(private readonly path: string) {
    this.refs = new Map(existsSync(path) ? Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, MessageRef>) : []);
  }

  get(incidentId: string): MessageRef | undefined {
    return this.refs.get(incidentId);
  }

  set(incidentId: string, ref: MessageRef): void {
    const before = this.refs.get(incidentId);
    if (before?.channelId === ref.channelId && before.ts === ref.ts) return;
    this.refs.set(incidentId, ref);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.refs)), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
