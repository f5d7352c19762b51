/*
 * CreateTopics Request (Version: 1) => [create_topic_requests] timeout validate_only
 *   v0 + validate_only BOOLEAN
 * CreateTopics Response (Version: 1) => [topic_errors (topic STRING, error_code INT16, error_message NULLABLE_STRING)]
 */
import type { KafkaReader, KafkaWriter } from '../../../../kafka/wire';
import * as v0 from './v0';

/** Reads the request body of this version. */
export function decode(r: KafkaReader): v0.CreateTopicsRequest {
  return { topics: v0.decodeTopics(r), timeoutMs: r.int32(), validateOnly: r.boolean() };
}

/** Writes the response body of this version. */
export function encode(w: KafkaWriter, res: v0.CreateTopicsResponse): void {
  w.array(res.topics, (x, t) => x.string(t.name).int16(t.errorCode).string(t.errorMessage));
}
