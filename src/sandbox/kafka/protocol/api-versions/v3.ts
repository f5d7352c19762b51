/*
 * ApiVersions Request (Version: 3, flexible) => client_software_name COMPACT_STRING,
 *   client_software_version COMPACT_STRING, TAG_BUFFER
 * ApiVersions Response (Version: 3, flexible) => error_code INT16,
 *   [api_keys] COMPACT_ARRAY (api_key INT16, min_version INT16, max_version INT16, TAG_BUFFER),
 *   throttle_time_ms INT32, TAG_BUFFER   (the feature tags 0–3 are never written)
 *
 * The request header is v2 (with tags) but the RESPONSE header stays v0 — correlation id only —
 * for every ApiVersions version: a client that does not yet know the broker's versions must be able
 * to read the answer, and one that sent too high a version gets a v0 body back (see v0.ts).
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';
import type { ApiVersionsResponse } from './v0';

/** ApiVersions v3 request (decoded form). */
export interface ApiVersionsRequestV3 { clientSoftwareName: string; clientSoftwareVersion: string }

/** Kafka's rule for both client software fields (ApiVersionsRequest.isValid). */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** Reads the request body of this version. */
export function decode(r: KafkaReader): ApiVersionsRequestV3 {
  const clientSoftwareName = r.compactString() ?? '';
  const clientSoftwareVersion = r.compactString() ?? '';
  r.skipTagBuffer();
  return { clientSoftwareName, clientSoftwareVersion };
}

/** True when both fields match Kafka's pattern; otherwise the broker answers INVALID_REQUEST. */
export function isValid(req: ApiVersionsRequestV3): boolean {
  return SOFTWARE_FIELD.test(req.clientSoftwareName) && SOFTWARE_FIELD.test(req.clientSoftwareVersion);
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: ApiVersionsResponse): void {
  w.int16(res.errorCode)
    .compactArray(res.apis, (x, a) => x.int16(a.key).int16(a.min).int16(a.max).tagBuffer())
    .int32(0)
    .tagBuffer();
}
