import { randomUUID } from 'node:crypto';
import { BrokerError, ErrorCode } from '../protocol/errors';
import { PartitionLog } from './partition-log';
import { topicConfigValue, validateTopicConfigs } from './topic-configs';

/** A topic: its partitions' logs and its config overrides. */
export interface Topic {
  /** Stable id, used to name journal files so a re-created topic never reads old data. */
  readonly id: string;
  readonly name: string;
  readonly partitions: PartitionLog[];
  /** Config overrides (names absent here take the default). */
  configs: Map<string, string>;
  readonly internal: boolean;
}

/** What a topic store reports for persistence. */
export type TopicEvent =
  | { t: 'topic.create'; id: string; name: string; partitions: number; configs: Record<string, string>; internal: boolean }
  | { t: 'topic.delete'; name: string }
  | { t: 'topic.configs'; name: string; configs: Record<string, string> }
  | { t: 'topic.partitions'; name: string; count: number }
  | { t: 'log.start'; name: string; partition: number; offset: number };

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

/** Checks a topic name as Kafka does (length, characters, not "." or ".."). */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249) return 'Topic name is illegal, it can\'t be longer than 249 characters';
  if (!LEGAL_NAME.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** All topics of the broker. Mutations emit {@link TopicEvent}s for the journal. */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  /** Persistence listener; also told about each new partition log so it can attach a sink. */
  listener: { event(e: TopicEvent): void; partitionCreated(topic: Topic, partition: number): void } | undefined;

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  list(): Topic[] {
    return [...this.topics.values()];
  }

  /** The partition log, or a BrokerError UNKNOWN_TOPIC_OR_PARTITION. */
  partition(topic: string, partition: number): PartitionLog {
    const log = this.topics.get(topic)?.partitions[partition];
    if (!log) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    return log;
  }

  /** Validates a creation without applying it; throws BrokerError with Kafka's code and message. */
  checkCreate(name: string, partitions: number, replicationFactor: number, configs: ReadonlyArray<{ name: string; value: string | null }>): void {
    const problem = topicNameProblem(name);
    if (problem) throw new BrokerError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (this.topics.has(name)) throw new BrokerError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (partitions < 1) throw new BrokerError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    if (partitions > 10_000) throw new BrokerError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions is above this broker\'s limit of 10000.');
    if (replicationFactor !== 1) {
      throw new BrokerError(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${replicationFactor} larger than available brokers: 1.`);
    }
    const configProblem = validateTopicConfigs(configs);
    if (configProblem) throw new BrokerError(ErrorCode.INVALID_CONFIG, configProblem);
  }

  /** Creates a topic (validated by {@link checkCreate} first). */
  create(name: string, partitions: number, configs: ReadonlyMap<string, string>, options: { internal?: boolean; id?: string } = {}): Topic {
    const topic: Topic = { id: options.id ?? randomUUID(), name, partitions: [], configs: new Map(configs), internal: options.internal ?? false };
    this.topics.set(name, topic);
    this.listener?.event({ t: 'topic.create', id: topic.id, name, partitions, configs: Object.fromEntries(configs), internal: topic.internal });
    this.addPartitions(topic, partitions, false);
    return topic;
  }

  private addPartitions(topic: Topic, count: number, emit: boolean): void {
    while (topic.partitions.length < count) {
      topic.partitions.push(new PartitionLog());
      this.listener?.partitionCreated(topic, topic.partitions.length - 1);
    }
    if (emit) this.listener?.event({ t: 'topic.partitions', name: topic.name, count });
  }

  /** Raises the partition count (Kafka never lowers it). */
  createPartitions(name: string, count: number, validateOnly: boolean): void {
    const topic = this.topics.get(name);
    if (!topic) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    if (count <= topic.partitions.length) {
      throw new BrokerError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions.length} partitions, which is higher than the requested ${count}.`);
    }
    if (!validateOnly) this.addPartitions(topic, count, true);
  }

  delete(name: string): void {
    if (!this.topics.delete(name)) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    this.listener?.event({ t: 'topic.delete', name });
  }

  /** Replaces all overrides of a topic (AlterConfigs semantics). */
  setConfigs(name: string, entries: ReadonlyArray<{ name: string; value: string | null }>, validateOnly: boolean): void {
    const topic = this.topics.get(name);
    if (!topic) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    const problem = validateTopicConfigs(entries);
    if (problem) throw new BrokerError(ErrorCode.INVALID_CONFIG, problem);
    if (validateOnly) return;
    topic.configs = new Map(entries.filter((e) => e.value !== null).map((e) => [e.name, e.value as string]));
    this.listener?.event({ t: 'topic.configs', name, configs: Object.fromEntries(topic.configs) });
  }

  /** Effective config value of a topic. */
  config(topic: Topic, name: string): string {
    return topicConfigValue(topic.configs, name);
  }

  /** Records a log start offset change so a restart keeps it. */
  noteLogStart(topic: Topic, partition: number): void {
    const log = topic.partitions[partition];
    if (log) this.listener?.event({ t: 'log.start', name: topic.name, partition, offset: log.logStartOffset });
  }

  /** Applies retention to every partition at `now`; returns the partitions whose start moved. */
  applyRetention(now: number): number {
    let changed = 0;
    for (const topic of this.topics.values()) {
      const ms = Number(this.config(topic, 'retention.ms'));
      const bytes = Number(this.config(topic, 'retention.bytes'));
      topic.partitions.forEach((log, i) => {
        if (log.applyRetention(now, ms, bytes) > 0) {
          changed++;
          this.noteLogStart(topic, i);
        }
      });
    }
    return changed;
  }
}
