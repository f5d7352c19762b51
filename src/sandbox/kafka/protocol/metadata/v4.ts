/*
 * Metadata Request (Version: 4) => [topics] allow_auto_topic_creation
 *   v1 request + allow_auto_topic_creation BOOLEAN. The response is v3's.
 */
import type { KafkaReader } from '../../../../kafka/wire';
import type { MetadataRequest } from './v1';
import * as v3 from './v3';

/** Reads the request body of this version. */
export function decode(r: KafkaReader): MetadataRequest {
  const topics = r.array((x) => x.string() ?? '');
  return { topics, allowAutoTopicCreation: r.boolean() };
}

/** Writes the response body of this version. */
export const encode = v3.encode;
