import { PRINCIPAL_PATTERN } from '../domain/runbook-patterns';
import type { GenericActionDefinition } from './contract';

/** Parameters of `kafka.pause-consumer-group`. */
export interface KafkaPauseConsumerGroupParams extends Record<string, unknown> {
  /** Consumer group to stop. */
  group: string;
  /** Principals the group's members authenticate as (DescribeGroups does not report them). */
  principals: string[];
  /** Topics to deny READ on. @default every topic the group has committed offsets on */
  topics?: string[];
}

/**
 * Stop a consumer group. Kafka has no server-side pause, so the group's member principals are
 * denied READ on the group and its topics; the bindings this step added are recorded so the
 * compensation removes exactly those.
 */
export const kafkaPauseConsumerGroup: GenericActionDefinition<KafkaPauseConsumerGroupParams> = {
  kind: 'generic',
  name: 'kafka.pause-consumer-group',
  summary: 'Stop a consumer group by denying its member principals READ on the group and its topics; report its members and state',
  phase: { started: 'containing', completed: 'containing' },
  defaultTimeout: '2m',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['group', 'principals'],
    properties: {
      group: { type: 'string', minLength: 1, description: 'Consumer group to stop.' },
      principals: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', pattern: PRINCIPAL_PATTERN },
        description: 'Principals the group’s members authenticate as (Kafka’s DescribeGroups does not name them).',
      },
      topics: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', minLength: 1 },
        description: 'Topics to deny READ on. Default: every topic the group has committed offsets on.',
      },
    },
  },
  plan: (p) => [
    `describe consumer group ${p.group} (state, members)`,
    ...p.principals.map((pr) => `deny ${pr} READ on group ${p.group} and on ${p.topics ? `topics ${p.topics.join(', ')}` : `every topic ${p.group} has committed offsets on`}`),
  ],
  activity: 'actionKafkaPauseConsumerGroup',
  compensation: 'actionKafkaResumeConsumerGroup',
};
