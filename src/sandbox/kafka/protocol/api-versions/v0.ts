/*
 * ApiVersions Request (Version: 0) => (empty)
 * ApiVersions Response (Version: 0) => error_code [api_keys]
 *   error_code => INT16
 *   api_keys => api_key min_version max_version   (INT16 each)
 */
import type { KafkaWriter } from '../../../../kafka/wire';
import type { ApiVersionRange } from '../api-keys';

/** ApiVersions response body (all versions). */
export interface ApiVersionsResponse {
  errorCode: number;
  apis: readonly Pick<ApiVersionRange, 'key' | 'min' | 'max'>[];
}

/** Writes the v0 body; also the shape Kafka uses to answer an unsupported ApiVersions version. */
export function encode(w: KafkaWriter, res: ApiVersionsResponse): void {
  w.int16(res.errorCode).array(res.apis, (x, a) => x.int16(a.key).int16(a.min).int16(a.max));
}
