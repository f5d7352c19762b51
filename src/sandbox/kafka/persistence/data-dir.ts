import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../log/logger';
import type { KafkaBroker } from '../broker';
import type { GroupEvent } from '../groups/coordinator';
import type { PartitionLog, StoredBatch } from '../log/partition-log';
import { BATCH_HEADER_SIZE, recordStamps } from '../log/record-batch';
import type { Topic, TopicEvent } from '../log/topic-store';
import { Authorizer, CredentialStore, type AuthorizerOptions } from '../security';

/** Every line of `meta.jsonl`. */
export type JournalEvent =
  | TopicEvent
  | GroupEvent
  | { t: 'cluster'; id: string }
  | { t: 'acls'; data: unknown }
  | { t: 'credentials'; data: unknown };

const META = 'meta.jsonl';
const LOGS = 'logs';

/**
 * The broker's journal directory:
 *
 * - `meta.jsonl`: append-only JSON lines (topics, configs, partition counts, log start offsets,
 *   committed offsets, ACL and credential snapshots). Replayed at start, then rewritten as a
 *   compact snapshot (temp file + rename) so it does not grow without bound.
 * - `logs/<topicId>-<partition>.log`: the partition's record batches back to back, exactly as
 *   served to consumers (base offsets assigned). A torn tail from a crash is cut off at load.
 *
 * Writes are synchronous (`writeSync`), so an acknowledged request is in the OS before the
 * response leaves; `close()` fsyncs.
 */
export class DataDir {
  private metaFd: number | undefined;
  private readonly logFds = new Map<string, number>();
  /** Topic name → id, to find a deleted topic's files. */
  private readonly topicIds = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    mkdirSync(join(dir, LOGS), { recursive: true });
  }

  /** Restores the broker's state from the directory and opens the journal for appends. */
  load(broker: KafkaBroker, authorizerOptions: AuthorizerOptions): void {
    const metaPath = join(this.dir, META);
    const events: JournalEvent[] = [];
    if (existsSync(metaPath)) {
      for (const line of readFileSync(metaPath, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          events.push(JSON.parse(line) as JournalEvent);
        } catch {
          // A torn last line (crash mid-write) is dropped; everything before it is intact.
          this.logger.warn({ dir: this.dir }, 'kafka journal: skipping unreadable line');
        }
      }
    }
    const logStarts = new Map<string, number>();
    let clusterId: string | undefined;
    for (const e of events) {
      switch (e.t) {
        case 'cluster':
          clusterId = e.id;
          break;
        case 'topic.create':
          broker.topics.create(e.name, e.partitions, new Map(Object.entries(e.configs)), { internal: e.internal, id: e.id });
          break;
        case 'topic.delete':
          broker.topics.delete(e.name);
          break;
        case 'topic.configs':
          broker.topics.setConfigs(e.name, Object.entries(e.configs).map(([name, value]) => ({ name, value })), false);
          break;
        case 'topic.partitions':
          broker.topics.createPartitions(e.name, e.count, false);
          break;
        case 'log.start':
          logStarts.set(`${e.name}\0${e.partition}`, e.offset);
          break;
        case 'offset.commit':
        case 'group.delete':
          broker.groups.replay(e);
          break;
        case 'acls':
          broker.authorizer = Authorizer.fromJSON(e.data, authorizerOptions);
          break;
        case 'credentials':
          broker.credentials = CredentialStore.fromJSON(e.data);
          break;
      }
    }
    if (clusterId) broker.clusterId = clusterId;
    for (const topic of broker.topics.list()) {
      this.topicIds.set(topic.name, topic.id);
      topic.partitions.forEach((log, i) => {
        const stored = this.readLog(topic, i, log);
        const start = logStarts.get(`${topic.name}\0${i}`);
        if (start !== undefined) log.restoreStart(start);
        // Batches deleted by retention or DeleteRecords stay in the file until the next start;
        // dropping them here keeps expired data from lingering on disk.
        if (log.liveBatches().length < stored) this.rewriteLog(topic, i, log);
      });
    }
    this.removeOrphans(broker);
    this.writeSnapshot(broker);
  }

  private logPath(topic: Topic, partition: number): string {
    return join(this.dir, LOGS, `${topic.id}-${partition}.log`);
  }

  /** Restores the partition's batches from its file; returns how many were read. */
  private readLog(topic: Topic, partition: number, log: PartitionLog): number {
    const path = this.logPath(topic, partition);
    if (!existsSync(path)) return 0;
    let count = 0;
    const data = readFileSync(path);
    let pos = 0;
    while (pos + BATCH_HEADER_SIZE <= data.length) {
      const total = data.readInt32BE(pos + 8) + 12;
      if (total < BATCH_HEADER_SIZE || pos + total > data.length) break;
      const batch = Buffer.from(data.subarray(pos, pos + total));
      const baseOffset = Number(batch.readBigInt64BE(0));
      let maxTimestamp = -1;
      for (const s of recordStamps(batch)) maxTimestamp = Math.max(maxTimestamp, s.timestamp);
      log.restore({ baseOffset, lastOffset: baseOffset + batch.readInt32BE(23), maxTimestamp, data: batch });
      pos += total;
      count++;
    }
    if (pos < data.length) {
      this.logger.warn({ path: `${topic.name}-${partition}`, cut: data.length - pos }, 'kafka journal: cutting a torn batch at the end of a log');
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, pos);
      closeSync(fd);
    }
    return count;
  }

  /** Replaces the partition's file with its live batches (temp file + rename). */
  private rewriteLog(topic: Topic, partition: number, log: PartitionLog): void {
    const path = this.logPath(topic, partition);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    for (const b of log.liveBatches()) writeSync(fd, b.data);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  }

  /** Log files of topics that no longer exist (deleted while the process was down mid-write). */
  private removeOrphans(broker: KafkaBroker): void {
    const ids = new Set(broker.topics.list().map((t) => t.id));
    for (const file of readdirSync(join(this.dir, LOGS))) {
      const id = file.replace(/-\d+\.log$/, '');
      if (!ids.has(id)) unlinkSync(join(this.dir, LOGS, file));
    }
  }

  private writeSnapshot(broker: KafkaBroker): void {
    const lines: JournalEvent[] = [{ t: 'cluster', id: broker.clusterId }];
    for (const topic of broker.topics.list()) {
      lines.push({ t: 'topic.create', id: topic.id, name: topic.name, partitions: topic.partitions.length, configs: Object.fromEntries(topic.configs), internal: topic.internal });
      topic.partitions.forEach((log, partition) => {
        if (log.logStartOffset > 0) lines.push({ t: 'log.start', name: topic.name, partition, offset: log.logStartOffset });
      });
    }
    for (const group of broker.groups.list()) {
      for (const [topic, parts] of broker.groups.allCommitted(group.groupId)) {
        for (const p of parts) lines.push({ t: 'offset.commit', group: group.groupId, topic, partition: p.partition, offset: p.offset.toString(), metadata: p.metadata });
      }
    }
    lines.push({ t: 'acls', data: broker.authorizer.toJSON() }, { t: 'credentials', data: broker.credentials.toJSON() });
    const tmp = join(this.dir, `${META}.tmp`);
    const fd = openSync(tmp, 'w');
    writeSync(fd, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, META));
    this.metaFd = openSync(join(this.dir, META), 'a');
  }

  /** Appends one event to `meta.jsonl`. */
  append(e: JournalEvent): void {
    if (this.metaFd === undefined) return;
    writeSync(this.metaFd, JSON.stringify(e) + '\n');
    if (e.t === 'topic.create') this.topicIds.set(e.name, e.id);
    if (e.t === 'topic.delete') this.dropTopicFiles(e.name);
  }

  /** Journals every batch appended to the partition from now on. */
  attach(topic: Topic, partition: number, log: PartitionLog): void {
    const path = this.logPath(topic, partition);
    const fd = openSync(path, 'a');
    this.logFds.set(path, fd);
    this.topicIds.set(topic.name, topic.id);
    log.sink = (batch: StoredBatch) => {
      writeSync(fd, batch.data);
    };
  }

  private dropTopicFiles(name: string): void {
    const id = this.topicIds.get(name);
    if (!id) return;
    this.topicIds.delete(name);
    for (const [path, fd] of [...this.logFds]) {
      if (!path.includes(`${id}-`)) continue;
      closeSync(fd);
      this.logFds.delete(path);
      if (existsSync(path)) unlinkSync(path);
    }
  }

  /** Flushes and closes every file. */
  close(): void {
    for (const fd of [...this.logFds.values(), ...(this.metaFd === undefined ? [] : [this.metaFd])]) {
      try {
        fsyncSync(fd);
        closeSync(fd);
      } catch {
        // Already closed; nothing left to flush.
      }
    }
    this.logFds.clear();
    this.metaFd = undefined;
  }
}
