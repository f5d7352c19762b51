/*
 * DeleteTopics Request (Version: 0) => [topics STRING] timeout INT32
 * DeleteTopics Response (Version: 0) => [topic_error_codes (topic STRING, error_code INT16)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';

/** Reads the request body of this version. */
export function decode(r: KafkaReader): { topics: string[]; timeoutMs: number } {
  return { topics: r.array((x) => x.string() ?? '') ?? [], timeoutMs: r.int32() };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: { topics: Array<{ name: string; errorCode: number }> }): void {
  w.array(res.topics, (x, t) => x.string(t.name).int16(t.errorCode));
}
