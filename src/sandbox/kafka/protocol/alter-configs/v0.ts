/*
 * AlterConfigs Request (Version: 0) => [resources] validate_only
 *   resources => resource_type INT8, resource_name STRING, [config_entries (config_name STRING, config_value NULLABLE_STRING)]
 *   validate_only BOOLEAN
 * AlterConfigs Response (Version: 0) => throttle_time_ms INT32,
 *   [resources (error_code INT16, error_message NULLABLE_STRING, resource_type INT8, resource_name STRING)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Alter configs request (decoded form). */
export interface AlterConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; entries: Array<{ name: string; value: string | null }> }>;
  validateOnly: boolean;
}
/** Alter configs response (decoded form). */
export interface AlterConfigsResponse { resources: Array<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): AlterConfigsRequest {
  return {
    resources: r.array((x) => ({
      resourceType: x.int8(),
      resourceName: x.string() ?? '',
      entries: x.array((e) => ({ name: e.string() ?? '', value: e.string() })) ?? [],
    })) ?? [],
    validateOnly: r.boolean(),
  };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: AlterConfigsResponse): void {
  w.int32(0).array(res.resources, (x, c) => x.int16(c.errorCode).string(c.errorMessage).int8(c.resourceType).string(c.resourceName));
}
