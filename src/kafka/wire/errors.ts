/** Thrown when a Kafka wire buffer is truncated or malformed (underflow, negative lengths, bad varints). */
export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
}
