/*
 * Request header v1:  api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING
 * Request header v2:  header v1 + TAG_BUFFER            (flexible API versions)
 * Response header v0: correlation_id INT32
 * Response header v1: correlation_id INT32, TAG_BUFFER   (flexible API versions)
 */
import { KafkaReader, KafkaWriter } from '../../../kafka/wire';

/** A decoded request header; the reader is left at the first byte of the body. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string;
}

/** Reads the fixed part of every request header (the part shared by v1 and v2). */
export function readRequestHeader(r: KafkaReader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string() ?? '';
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Starts a response: the correlation id, plus an empty tag buffer when the API version is flexible. */
export function responseWriter(correlationId: number, flexible: boolean): KafkaWriter {
  const w = new KafkaWriter().int32(correlationId);
  return flexible ? w.tagBuffer() : w;
}
