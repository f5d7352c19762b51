import { errorInfo } from '../../../kafka/wire/error-codes';

export { ErrorCode, KAFKA_ERRORS, errorInfo, findKafkaError, type KafkaErrorInfo } from '../../../kafka/wire/error-codes';

/** Raised inside a handler to answer a whole request (or one resource) with a Kafka error code. */
export class BrokerError extends Error {
  constructor(
    readonly code: number,
    message?: string,
  ) {
    super(message ?? errorInfo(code).message);
    this.name = 'BrokerError';
  }
}
