/*
 * DescribeUserScramCredentials Request (Version: 0, flexible) => [users] TAG_BUFFER
 *   users COMPACT_NULLABLE_ARRAY => name COMPACT_STRING, TAG_BUFFER        (null = all users)
 * DescribeUserScramCredentials Response (Version: 0, flexible) =>
 *   throttle_time_ms INT32, error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *   results COMPACT_ARRAY => user COMPACT_STRING, error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *     credential_infos COMPACT_ARRAY => mechanism INT8 (1 SHA-256, 2 SHA-512), iterations INT32, TAG_BUFFER
 *     TAG_BUFFER
 *   TAG_BUFFER
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Describe scram result (decoded form). */
export interface DescribeScramResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentials: Array<{ mechanism: number; iterations: number }>;
}
/** Describe scram response (decoded form). */
export interface DescribeScramResponse { errorCode: number; errorMessage: string | null; results: DescribeScramResult[] }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { users: string[] | null } {
  const users = r.compactArray((x) => {
    const name = x.compactString() ?? '';
    x.skipTagBuffer();
    return name;
  });
  r.skipTagBuffer();
  return { users };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: DescribeScramResponse): void {
  w.int32(0).int16(res.errorCode).compactString(res.errorMessage)
    .compactArray(res.results, (x, u) => {
      x.compactString(u.user).int16(u.errorCode).compactString(u.errorMessage)
        .compactArray(u.credentials, (y, c) => y.int8(c.mechanism).int32(c.iterations).tagBuffer())
        .tagBuffer();
    })
    .tagBuffer();
}
