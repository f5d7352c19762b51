/*
 * AlterUserScramCredentials Request (Version: 0, flexible) =>
 *   deletions COMPACT_ARRAY => name COMPACT_STRING, mechanism INT8, TAG_BUFFER
 *   upsertions COMPACT_ARRAY => name COMPACT_STRING, mechanism INT8, iterations INT32, salt COMPACT_BYTES,
 *     salted_password COMPACT_BYTES, TAG_BUFFER
 *   TAG_BUFFER
 * AlterUserScramCredentials Response (Version: 0, flexible) => throttle_time_ms INT32,
 *   results COMPACT_ARRAY => user COMPACT_STRING, error_code INT16, error_message COMPACT_NULLABLE_STRING, TAG_BUFFER
 *   TAG_BUFFER
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Scram deletion (decoded form). */
export interface ScramDeletion { name: string; mechanism: number }
/** Scram upsertion (decoded form). */
export interface ScramUpsertion { name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }
/** Alter scram request (decoded form). */
export interface AlterScramRequest { deletions: ScramDeletion[]; upsertions: ScramUpsertion[] }
/** Alter scram response (decoded form). */
export interface AlterScramResponse { results: Array<{ user: string; errorCode: number; errorMessage: string | null }> }

/** Reads the request body of this version. */
export function decode(r: KafkaReader): AlterScramRequest {
  const deletions = r.compactArray((x) => {
    const d = { name: x.compactString() ?? '', mechanism: x.int8() };
    x.skipTagBuffer();
    return d;
  }) ?? [];
  const upsertions = r.compactArray((x) => {
    const u = {
      name: x.compactString() ?? '',
      mechanism: x.int8(),
      iterations: x.int32(),
      salt: Buffer.from(x.compactBytes() ?? Buffer.alloc(0)),
      saltedPassword: Buffer.from(x.compactBytes() ?? Buffer.alloc(0)),
    };
    x.skipTagBuffer();
    return u;
  }) ?? [];
  r.skipTagBuffer();
  return { deletions, upsertions };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: AlterScramResponse): void {
  w.int32(0).compactArray(res.results, (x, u) => x.compactString(u.user).int16(u.errorCode).compactString(u.errorMessage).tagBuffer()).tagBuffer();
}
