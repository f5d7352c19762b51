import type { GenericActionDefinition } from './contract';

/** An ISO 8601 instant with a zone, e.g. `2026-12-05T10:04:00Z`. */
export const ISO_INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:\\d{2})$';

/** Parameters of `kafka.reset-offsets`: exactly one of `timestamp` and `offsets`. */
export interface KafkaResetOffsetsParams extends Record<string, unknown> {
  group: string;
  topic: string;
  /** Rewind to the first offset at or after this instant (ISO 8601), per partition. */
  timestamp?: string;
  /** Explicit offsets by partition number, e.g. `{"0": "1200", "3": "0"}`. */
  offsets?: Record<string, string>;
}

/**
 * Rewind a consumer group on one topic, to the offsets of a timestamp or to explicit offsets. Only
 * an Empty group can be rewound (a live member would overwrite the commit); the previous offsets
 * are recorded so the compensation restores them.
 */
export const kafkaResetOffsets: GenericActionDefinition<KafkaResetOffsetsParams> = {
  kind: 'generic',
  name: 'kafka.reset-offsets',
  summary: 'Rewind an Empty consumer group on a topic to the offsets of a timestamp or to explicit offsets; previous offsets are kept for undo',
  phase: { started: 'eradicating', completed: 'eradicating' },
  defaultTimeout: '2m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['group', 'topic'],
    oneOf: [{ required: ['timestamp'] }, { required: ['offsets'] }],
    properties: {
      group: { type: 'string', minLength: 1, description: 'Consumer group to rewind; it must be Empty (no live member).' },
      topic: { type: 'string', minLength: 1, description: 'Topic whose committed offsets change.' },
      timestamp: { type: 'string', pattern: ISO_INSTANT_PATTERN, description: 'Rewind each partition to the first record at or after this instant (the timestamp index).' },
      offsets: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: '^(0|[1-9][0-9]*)$' },
        additionalProperties: { type: 'string', pattern: '^(0|[1-9][0-9]*)$' },
        description: 'Explicit offsets by partition number, e.g. `{"0": "1200"}`. Partitions left out keep their offset.',
      },
    },
  },
  plan: (p) => [
    `check that consumer group ${p.group} is Empty (refuse otherwise)`,
    p.timestamp !== undefined
      ? `rewind ${p.group} on ${p.topic} to the first offset at or after ${p.timestamp} on every partition`
      : `set ${p.group} on ${p.topic} to ${Object.entries(p.offsets ?? {}).map(([part, o]) => `${part}:${o}`).join(', ')}`,
    `record the previous offsets of ${p.group} on ${p.topic} so compensation restores them`,
  ],
  activity: 'actionKafkaResetOffsets',
  compensation: 'actionKafkaRestoreOffsets',
};
