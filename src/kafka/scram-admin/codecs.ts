/*
 * The five request/response pairs the SCRAM admin client speaks (client side: encode requests,
 * decode responses).
 *
 * Request header v1 (classic):   api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING
 * Request header v2 (flexible):  header v1 + TAG_BUFFER
 * Response header v0 (classic):  correlation_id INT32
 * Response header v1 (flexible): correlation_id INT32, TAG_BUFFER
 *
 * ApiVersions v0 (18):        request: (empty)
 *                             response: error_code INT16, api_keys ARRAY[api_key INT16, min INT16, max INT16]
 * SaslHandshake v1 (17):      request: mechanism STRING
 *                             response: error_code INT16, mechanisms ARRAY[STRING]
 * SaslAuthenticate v0 (36):   request: auth_bytes BYTES
 *                             response: error_code INT16, error_message NULLABLE_STRING, auth_bytes BYTES
 * DescribeUserScramCredentials v0 (50, flexible):
 *   request:  users COMPACT_NULLABLE_ARRAY[name COMPACT_STRING, TAG_BUFFER], TAG_BUFFER
 *   response: throttle_time_ms INT32, error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *             results COMPACT_ARRAY[user COMPACT_STRING, error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *               credential_infos COMPACT_ARRAY[mechanism INT8, iterations INT32, TAG_BUFFER], TAG_BUFFER], TAG_BUFFER
 * AlterUserScramCredentials v0 (51, flexible):
 *   request:  deletions COMPACT_ARRAY[name COMPACT_STRING, mechanism INT8, TAG_BUFFER],
 *             upsertions COMPACT_ARRAY[name COMPACT_STRING, mechanism INT8, iterations INT32,
 *               salt COMPACT_BYTES, salted_password COMPACT_BYTES, TAG_BUFFER], TAG_BUFFER
 *   response: throttle_time_ms INT32, results COMPACT_ARRAY[user COMPACT_STRING, error_code INT16,
 *               error_message COMPACT_NULLABLE_STRING, TAG_BUFFER], TAG_BUFFER
 */
import { KafkaReader, KafkaWriter } from '../wire';

/** API keys used here. */
export const ApiKey = {
  SaslHandshake: 17,
  ApiVersions: 18,
  SaslAuthenticate: 36,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
} as const;

/** Builds a framed request: header (v2 when flexible) followed by the body. */
export function encodeRequest(
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string; flexible: boolean },
  body: (w: KafkaWriter) => void,
): Buffer {
  const w = new KafkaWriter().int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).string(header.clientId);
  if (header.flexible) w.tagBuffer();
  body(w);
  return w.buildFramed();
}

/** Reads a response header and returns the correlation id; the reader is left at the body. */
export function readResponseHeader(r: KafkaReader, flexible: boolean): number {
  const correlationId = r.int32();
  if (flexible) r.skipTagBuffer();
  return correlationId;
}

/** Decoded ApiVersions v0 response. */
export interface ApiVersionsResponse {
  errorCode: number;
  apis: Map<number, { min: number; max: number }>;
}

/** Decodes an ApiVersions v0 response body. */
export function decodeApiVersions(r: KafkaReader): ApiVersionsResponse {
  const errorCode = r.int16();
  const apis = new Map<number, { min: number; max: number }>();
  for (const a of r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() })) ?? []) apis.set(a.key, { min: a.min, max: a.max });
  return { errorCode, apis };
}

/** Writes a SaslHandshake v1 request body. */
export function encodeSaslHandshake(w: KafkaWriter, mechanism: string): void {
  w.string(mechanism);
}

/** Decodes a SaslHandshake v1 response body. */
export function decodeSaslHandshake(r: KafkaReader): { errorCode: number; mechanisms: string[] } {
  const errorCode = r.int16();
  const mechanisms = (r.array((x) => x.string() ?? '') ?? []).filter((m) => m.length > 0);
  return { errorCode, mechanisms };
}

/** Writes a SaslAuthenticate v0 request body. */
export function encodeSaslAuthenticate(w: KafkaWriter, authBytes: Buffer): void {
  w.bytes(authBytes);
}

/** Decodes a SaslAuthenticate v0 response body. */
export function decodeSaslAuthenticate(r: KafkaReader): { errorCode: number; errorMessage: string | null; authBytes: Buffer } {
  const errorCode = r.int16();
  const errorMessage = r.string();
  const authBytes = Buffer.from(r.bytes() ?? Buffer.alloc(0));
  return { errorCode, errorMessage, authBytes };
}

/** Writes a DescribeUserScramCredentials v0 request body; `null` asks for every user. */
export function encodeDescribeScram(w: KafkaWriter, users: readonly string[] | null): void {
  w.compactArray(users, (x, name) => x.compactString(name).tagBuffer()).tagBuffer();
}

/** Decoded DescribeUserScramCredentials v0 response; mechanisms are wire codes. */
export interface DescribeScramResponse {
  errorCode: number;
  errorMessage: string | null;
  results: Array<{ user: string; errorCode: number; errorMessage: string | null; credentials: Array<{ mechanism: number; iterations: number }> }>;
}

/** Decodes a DescribeUserScramCredentials v0 response body. */
export function decodeDescribeScram(r: KafkaReader): DescribeScramResponse {
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const results =
    r.compactArray((x) => {
      const user = x.compactString() ?? '';
      const userError = x.int16();
      const userMessage = x.compactString();
      const credentials =
        x.compactArray((y) => {
          const c = { mechanism: y.int8(), iterations: y.int32() };
          y.skipTagBuffer();
          return c;
        }) ?? [];
      x.skipTagBuffer();
      return { user, errorCode: userError, errorMessage: userMessage, credentials };
    }) ?? [];
  r.skipTagBuffer();
  return { errorCode, errorMessage, results };
}

/** Body of an AlterUserScramCredentials v0 request; mechanisms are wire codes. */
export interface AlterScramRequest {
  deletions: ReadonlyArray<{ name: string; mechanism: number }>;
  upsertions: ReadonlyArray<{ name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }>;
}

/** Writes an AlterUserScramCredentials v0 request body. */
export function encodeAlterScram(w: KafkaWriter, req: AlterScramRequest): void {
  w.compactArray(req.deletions, (x, d) => x.compactString(d.name).int8(d.mechanism).tagBuffer());
  w.compactArray(req.upsertions, (x, u) =>
    x.compactString(u.name).int8(u.mechanism).int32(u.iterations).compactBytes(u.salt).compactBytes(u.saltedPassword).tagBuffer(),
  );
  w.tagBuffer();
}

/** Decodes an AlterUserScramCredentials v0 response body: one result per user. */
export function decodeAlterScram(r: KafkaReader): Array<{ user: string; errorCode: number; errorMessage: string | null }> {
  r.int32(); // throttle_time_ms
  const results =
    r.compactArray((x) => {
      const res = { user: x.compactString() ?? '', errorCode: x.int16(), errorMessage: x.compactString() };
      x.skipTagBuffer();
      return res;
    }) ?? [];
  r.skipTagBuffer();
  return results;
}
