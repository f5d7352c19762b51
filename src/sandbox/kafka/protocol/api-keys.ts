/** Kafka API keys the sandbox serves. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
} as const;

/** Version range advertised per API, and from which version the API uses flexible (tagged) headers. */
export interface ApiVersionRange {
  readonly key: number;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** First flexible version (request header v2, response header v1); absent = never flexible. */
  readonly flexibleFrom?: number;
}

/**
 * Advertised versions: every one is decoded and answered (test/unit/kafka-sandbox/wire-fixtures
 * checks each against a captured or schema-built request). Clients pick min(their max, ours):
 * kafkajs 2.2.4 and librdkafka 2.x negotiate, kafka-python 2.x infers a broker release from this
 * list (Metadata max 4 without v5 reads as 0.11) and then sends fixed versions — Metadata v0/v1,
 * JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1, OffsetFetch v1. Minima are the oldest layouts
 * decoded — Produce and Fetch start at the first versions that carry record batch v2.
 */
export const API_VERSIONS: readonly ApiVersionRange[] = [
  { key: ApiKey.Produce, name: 'Produce', min: 3, max: 7 },
  { key: ApiKey.Fetch, name: 'Fetch', min: 4, max: 4 },
  { key: ApiKey.ListOffsets, name: 'ListOffsets', min: 1, max: 1 },
  { key: ApiKey.Metadata, name: 'Metadata', min: 0, max: 4 },
  { key: ApiKey.OffsetCommit, name: 'OffsetCommit', min: 1, max: 2 },
  { key: ApiKey.OffsetFetch, name: 'OffsetFetch', min: 1, max: 3 },
  { key: ApiKey.FindCoordinator, name: 'FindCoordinator', min: 0, max: 2 },
  { key: ApiKey.JoinGroup, name: 'JoinGroup', min: 0, max: 2 },
  { key: ApiKey.Heartbeat, name: 'Heartbeat', min: 0, max: 1 },
  { key: ApiKey.LeaveGroup, name: 'LeaveGroup', min: 0, max: 1 },
  { key: ApiKey.SyncGroup, name: 'SyncGroup', min: 0, max: 1 },
  { key: ApiKey.DescribeGroups, name: 'DescribeGroups', min: 0, max: 0 },
  { key: ApiKey.ListGroups, name: 'ListGroups', min: 0, max: 0 },
  { key: ApiKey.SaslHandshake, name: 'SaslHandshake', min: 0, max: 1 },
  { key: ApiKey.ApiVersions, name: 'ApiVersions', min: 0, max: 3, flexibleFrom: 3 },
  { key: ApiKey.CreateTopics, name: 'CreateTopics', min: 0, max: 4 },
  { key: ApiKey.DeleteTopics, name: 'DeleteTopics', min: 0, max: 3 },
  { key: ApiKey.DeleteRecords, name: 'DeleteRecords', min: 0, max: 0 },
  { key: ApiKey.InitProducerId, name: 'InitProducerId', min: 0, max: 0 },
  { key: ApiKey.DescribeAcls, name: 'DescribeAcls', min: 0, max: 1 },
  { key: ApiKey.CreateAcls, name: 'CreateAcls', min: 0, max: 1 },
  { key: ApiKey.DeleteAcls, name: 'DeleteAcls', min: 0, max: 1 },
  { key: ApiKey.DescribeConfigs, name: 'DescribeConfigs', min: 0, max: 2 },
  { key: ApiKey.AlterConfigs, name: 'AlterConfigs', min: 0, max: 0 },
  { key: ApiKey.SaslAuthenticate, name: 'SaslAuthenticate', min: 0, max: 2, flexibleFrom: 2 },
  { key: ApiKey.CreatePartitions, name: 'CreatePartitions', min: 0, max: 0 },
  { key: ApiKey.DeleteGroups, name: 'DeleteGroups', min: 0, max: 1 },
  { key: ApiKey.DescribeUserScramCredentials, name: 'DescribeUserScramCredentials', min: 0, max: 0, flexibleFrom: 0 },
  { key: ApiKey.AlterUserScramCredentials, name: 'AlterUserScramCredentials', min: 0, max: 0, flexibleFrom: 0 },
];

const BY_KEY = new Map(API_VERSIONS.map((a) => [a.key, a]));

/** The advertised range for an API key, or undefined if this broker does not serve it. */
export function apiRange(key: number): ApiVersionRange | undefined {
  return BY_KEY.get(key);
}
