/** A topic-level config the broker knows: its default and how a value is checked. */
interface ConfigDef {
  default: string;
  /** Returns an error message for an invalid value, or null. */
  check(value: string): string | null;
}

const long = (min: number) => (v: string): string | null =>
  /^-?\d+$/.test(v) && Number(v) >= min ? null : `must be an integer >= ${min}`;
const oneOf = (...allowed: string[]) => (v: string): string | null =>
  allowed.includes(v) ? null : `must be one of ${allowed.join(', ')}`;
const bool = oneOf('true', 'false');
const ratio = (v: string): string | null => (/^\d*\.?\d+$/.test(v) && Number(v) <= 1 ? null : 'must be a number between 0 and 1');
const anyString = (): string | null => null;

/**
 * Topic configs Kafka defines (names and defaults as in the Kafka documentation). Only
 * `retention.ms`, `retention.bytes` and `cleanup.policy` change this broker's behaviour; the others
 * are validated and stored so admin tools see what they set. `cleanup.policy=compact` and
 * `message.timestamp.type=LogAppendTime` are refused: this broker cannot honour them.
 */
export const TOPIC_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'cleanup.policy': { default: 'delete', check: (v) => (v === 'delete' ? null : 'only "delete" is supported by this broker (log compaction is not implemented)') },
  'retention.ms': { default: '604800000', check: long(-1) },
  'retention.bytes': { default: '-1', check: long(-1) },
  'segment.bytes': { default: '1073741824', check: long(14) },
  'segment.ms': { default: '604800000', check: long(1) },
  'segment.jitter.ms': { default: '0', check: long(0) },
  'segment.index.bytes': { default: '10485760', check: long(4) },
  'max.message.bytes': { default: '1048588', check: long(0) },
  'min.insync.replicas': { default: '1', check: long(1) },
  'compression.type': { default: 'producer', check: oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd') },
  'message.timestamp.type': { default: 'CreateTime', check: (v) => (v === 'CreateTime' ? null : 'only CreateTime is supported by this broker') },
  'message.timestamp.difference.max.ms': { default: '9223372036854775807', check: long(0) },
  'message.downconversion.enable': { default: 'true', check: bool },
  'delete.retention.ms': { default: '86400000', check: long(0) },
  'file.delete.delay.ms': { default: '60000', check: long(0) },
  'flush.messages': { default: '9223372036854775807', check: long(1) },
  'flush.ms': { default: '9223372036854775807', check: long(0) },
  'index.interval.bytes': { default: '4096', check: long(0) },
  'max.compaction.lag.ms': { default: '9223372036854775807', check: long(1) },
  'min.compaction.lag.ms': { default: '0', check: long(0) },
  'min.cleanable.dirty.ratio': { default: '0.5', check: ratio },
  'preallocate': { default: 'false', check: bool },
  'unclean.leader.election.enable': { default: 'false', check: bool },
  'leader.replication.throttled.replicas': { default: '', check: anyString },
  'follower.replication.throttled.replicas': { default: '', check: anyString },
};

/** Validates overrides; returns the first problem as Kafka's INVALID_CONFIG message, or null. */
export function validateTopicConfigs(entries: ReadonlyArray<{ name: string; value: string | null }>): string | null {
  for (const { name, value } of entries) {
    const def = TOPIC_CONFIGS[name];
    if (!def) return `Unknown topic config name: ${name}`;
    if (value === null) continue;
    const problem = def.check(value);
    if (problem) return `Invalid value ${value} for configuration ${name}: ${problem}`;
  }
  return null;
}

/** Effective value of a topic config (override or default). */
export function topicConfigValue(overrides: ReadonlyMap<string, string>, name: string): string {
  return overrides.get(name) ?? TOPIC_CONFIGS[name]?.default ?? '';
}
