/*
 * DescribeConfigs Request (Version: 0) => [resources]
 *   resources => resource_type INT8 (2 topic, 4 broker), resource_name STRING, [config_names STRING] (null = all)
 * DescribeConfigs Response (Version: 0) => throttle_time_ms INT32, [resources]
 *   resources => error_code INT16, error_message NULLABLE_STRING, resource_type INT8, resource_name STRING, [config_entries]
 *     config_entries => config_name STRING, config_value NULLABLE_STRING, read_only BOOLEAN, is_default BOOLEAN, is_sensitive BOOLEAN
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Config entry (decoded form); `source` and `synonyms` are written from v1 on. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
  /** Kafka ConfigSource code (v1+). */
  source: number;
  /** Where the value could come from, most specific first (v1+, when asked for). */
  synonyms: Array<{ name: string; value: string | null; source: number }>;
}
/** Described config resource (decoded form). */
export interface DescribedConfigResource { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string; entries: ConfigEntry[] }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { resources: Array<{ resourceType: number; resourceName: string; configNames: string[] | null }> } {
  return {
    resources: r.array((x) => ({ resourceType: x.int8(), resourceName: x.string() ?? '', configNames: x.array((n) => n.string() ?? '') })) ?? [],
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: { resources: DescribedConfigResource[] }): void {
  w.int32(0).array(res.resources, (x, c) =>
    x.int16(c.errorCode).string(c.errorMessage).int8(c.resourceType).string(c.resourceName)
      .array(c.entries, (y, e) => y.string(e.name).string(e.value).boolean(e.readOnly).boolean(e.isDefault).boolean(e.isSensitive)),
  );
}
