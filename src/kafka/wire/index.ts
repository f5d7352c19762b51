export { KafkaWriter } from './writer';
export { KafkaReader } from './reader';
export { KafkaProtocolError } from './errors';
