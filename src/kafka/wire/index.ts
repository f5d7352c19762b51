export { KafkaWriter } from './writer';
export { KafkaReader } from './reader';
export { KafkaProtocolError } from './errors';
export { ErrorCode, KAFKA_ERRORS, errorInfo, findKafkaError, type KafkaErrorInfo } from './error-codes';
