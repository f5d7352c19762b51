/** One broker error code as Kafka defines it (`org.apache.kafka.common.protocol.Errors`). */
export interface KafkaErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

/**
 * Kafka broker error codes breachline meets or answers with; names, codes and retriability follow
 * Kafka's table. One table for the product's clients and the sandbox broker alike.
 */
export const KAFKA_ERRORS = [
  { code: -1, name: 'UNKNOWN_SERVER_ERROR', retriable: false, message: 'The server experienced an unexpected error when processing the request.' },
  { code: 0, name: 'NONE', retriable: false, message: '' },
  { code: 1, name: 'OFFSET_OUT_OF_RANGE', retriable: false, message: 'The requested offset is not within the range of offsets maintained by the server.' },
  { code: 2, name: 'CORRUPT_MESSAGE', retriable: true, message: 'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.' },
  { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, message: 'This server does not host this topic-partition.' },
  { code: 5, name: 'LEADER_NOT_AVAILABLE', retriable: true, message: 'There is no leader for this topic-partition as we are in the middle of a leadership election.' },
  { code: 7, name: 'REQUEST_TIMED_OUT', retriable: true, message: 'The request timed out.' },
  { code: 10, name: 'MESSAGE_TOO_LARGE', retriable: false, message: 'The request included a message larger than the max message size the server will accept.' },
  { code: 13, name: 'NETWORK_EXCEPTION', retriable: true, message: 'The server disconnected before a response was received.' },
  { code: 14, name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true, message: 'The coordinator is loading and hence can\'t process requests.' },
  { code: 15, name: 'COORDINATOR_NOT_AVAILABLE', retriable: true, message: 'The coordinator is not available.' },
  { code: 16, name: 'NOT_COORDINATOR', retriable: true, message: 'This is not the correct coordinator.' },
  { code: 17, name: 'INVALID_TOPIC_EXCEPTION', retriable: false, message: 'The request attempted to perform an operation on an invalid topic.' },
  { code: 21, name: 'INVALID_REQUIRED_ACKS', retriable: false, message: 'Produce request specified an invalid value for required acks.' },
  { code: 22, name: 'ILLEGAL_GENERATION', retriable: false, message: 'Specified group generation id is not valid.' },
  { code: 23, name: 'INCONSISTENT_GROUP_PROTOCOL', retriable: false, message: "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list." },
  { code: 24, name: 'INVALID_GROUP_ID', retriable: false, message: 'The configured groupId is invalid.' },
  { code: 25, name: 'UNKNOWN_MEMBER_ID', retriable: false, message: 'The coordinator is not aware of this member.' },
  { code: 26, name: 'INVALID_SESSION_TIMEOUT', retriable: false, message: 'The session timeout is not within the range allowed by the broker.' },
  { code: 27, name: 'REBALANCE_IN_PROGRESS', retriable: false, message: 'The group is rebalancing, so a rejoin is needed.' },
  { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED', retriable: false, message: 'Topic authorization failed.' },
  { code: 30, name: 'GROUP_AUTHORIZATION_FAILED', retriable: false, message: 'Group authorization failed.' },
  { code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false, message: 'Cluster authorization failed.' },
  { code: 33, name: 'UNSUPPORTED_SASL_MECHANISM', retriable: false, message: 'The broker does not support the requested SASL mechanism.' },
  { code: 34, name: 'ILLEGAL_SASL_STATE', retriable: false, message: 'Request is not valid given the current SASL state.' },
  { code: 35, name: 'UNSUPPORTED_VERSION', retriable: false, message: 'The version of API is not supported.' },
  { code: 36, name: 'TOPIC_ALREADY_EXISTS', retriable: false, message: 'Topic with this name already exists.' },
  { code: 37, name: 'INVALID_PARTITIONS', retriable: false, message: 'Number of partitions is below 1.' },
  { code: 38, name: 'INVALID_REPLICATION_FACTOR', retriable: false, message: 'Replication factor is below 1 or larger than the number of available brokers.' },
  { code: 39, name: 'INVALID_REPLICA_ASSIGNMENT', retriable: false, message: 'Replica assignment is invalid.' },
  { code: 40, name: 'INVALID_CONFIG', retriable: false, message: 'Configuration is invalid.' },
  { code: 41, name: 'NOT_CONTROLLER', retriable: true, message: 'This is not the correct controller for this cluster.' },
  { code: 42, name: 'INVALID_REQUEST', retriable: false, message: 'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker.' },
  { code: 43, name: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', retriable: false, message: 'The message format version on the broker does not support the request.' },
  { code: 44, name: 'POLICY_VIOLATION', retriable: false, message: 'Request parameters do not satisfy the configured policy.' },
  { code: 58, name: 'SASL_AUTHENTICATION_FAILED', retriable: false, message: 'SASL Authentication failed.' },
  { code: 68, name: 'NON_EMPTY_GROUP', retriable: false, message: 'The group is not empty.' },
  { code: 69, name: 'GROUP_ID_NOT_FOUND', retriable: false, message: 'The group id does not exist.' },
  { code: 76, name: 'UNSUPPORTED_COMPRESSION_TYPE', retriable: false, message: 'The requesting client does not support the compression type of given partition.' },
  { code: 79, name: 'MEMBER_ID_REQUIRED', retriable: false, message: 'The group member needs to have a valid member id before actually entering a consumer group.' },
  { code: 87, name: 'INVALID_RECORD', retriable: false, message: 'This record has failed the validation on broker and hence will be rejected.' },
  { code: 91, name: 'RESOURCE_NOT_FOUND', retriable: false, message: 'A request illegally referred to a resource that does not exist.' },
  { code: 92, name: 'DUPLICATE_RESOURCE', retriable: false, message: 'A request illegally referred to the same resource twice.' },
  { code: 93, name: 'UNACCEPTABLE_CREDENTIAL', retriable: false, message: 'Requested credential would not meet criteria for acceptability.' },
] as const satisfies readonly KafkaErrorInfo[];

/** Error name → code, e.g. `ErrorCode.TOPIC_AUTHORIZATION_FAILED === 29`. */
export const ErrorCode = Object.fromEntries(KAFKA_ERRORS.map((e) => [e.name, e.code])) as {
  readonly [E in (typeof KAFKA_ERRORS)[number] as E['name']]: E['code'];
};

const BY_CODE = new Map<number, KafkaErrorInfo>(KAFKA_ERRORS.map((e) => [e.code, e]));

/** The table entry for a code, or undefined for a code outside the table. */
export function findKafkaError(code: number): KafkaErrorInfo | undefined {
  return BY_CODE.get(code);
}

/** The table entry for a code (UNKNOWN_SERVER_ERROR for codes outside the table). */
export function errorInfo(code: number): KafkaErrorInfo {
  return BY_CODE.get(code) ?? (BY_CODE.get(-1) as KafkaErrorInfo);
}
