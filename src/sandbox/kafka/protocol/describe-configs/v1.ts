/*
 * DescribeConfigs Request (Version: 1) => [resources] include_synonyms BOOLEAN
 *   resources as v0
 * DescribeConfigs Response (Version: 1) => throttle_time_ms INT32, [resources]
 *   resources => error_code INT16, error_message NULLABLE_STRING, resource_type INT8, resource_name STRING, [config_entries]
 *     config_entries => config_name STRING, config_value NULLABLE_STRING, read_only BOOLEAN,
 *       config_source INT8 (replaces is_default), is_sensitive BOOLEAN,
 *       [synonyms (synonym_name STRING, synonym_value NULLABLE_STRING, synonym_source INT8)]
 *   Version 2 has the same layout (librdkafka 2.x sends v1, kafkajs and kafka-python v2).
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Kafka's ConfigSource codes used by this broker. */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

/** Reads the request body of this version. */
export function decode(r: KafkaReader): ReturnType<typeof v0.decode> & { includeSynonyms: boolean } {
  const { resources } = v0.decode(r);
  return { resources, includeSynonyms: r.boolean() };
}

/** Writes the response body of this version; synonyms are written only when the request asked. */
export function encode(w: KafkaWriter, res: { resources: v0.DescribedConfigResource[]; includeSynonyms?: boolean }): void {
  w.int32(0).array(res.resources, (x, c) =>
    x.int16(c.errorCode).string(c.errorMessage).int8(c.resourceType).string(c.resourceName)
      .array(c.entries, (y, e) =>
        y.string(e.name).string(e.value).boolean(e.readOnly).int8(e.source).boolean(e.isSensitive)
          .array(res.includeSynonyms ? e.synonyms : [], (z, s) => z.string(s.name).string(s.value).int8(s.source)),
      ),
  );
}
