import { connect, type Socket } from 'node:net';
import { KafkaReader, KafkaWriter } from '../../../src/kafka/wire';

/** A bare Kafka-protocol socket for tests that need to send what no client library would. */
export class RawKafkaSocket {
  private buffered = Buffer.alloc(0);
  private waiting: Array<(frame: Buffer) => void> = [];
  private nextCorrelation = 1;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opens a socket to `host:port`. */
  static async open(address: string): Promise<RawKafkaSocket> {
    const [host, port] = address.split(':');
    const socket = connect({ host, port: Number(port) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawKafkaSocket(socket);
  }

  /** Writes bytes as they are. */
  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a request (header v1, or v2 when `flexible`) and resolves with a reader after the correlation id. */
  request(apiKey: number, version: number, body: (w: KafkaWriter) => void, flexible = false): Promise<KafkaReader> {
    const correlationId = this.nextCorrelation++;
    const w = new KafkaWriter().int16(apiKey).int16(version).int32(correlationId).string('raw-test');
    if (flexible) w.tagBuffer();
    body(w);
    const answer = new Promise<KafkaReader>((resolve, reject) => {
      this.waiting.push((frame) => {
        const r = new KafkaReader(frame);
        if (r.int32() !== correlationId) reject(new Error('correlation id mismatch'));
        if (flexible) r.skipTagBuffer();
        resolve(r);
      });
      this.closed.then(() => reject(new Error('connection closed')), () => undefined);
    });
    this.send(w.buildFramed());
    return answer;
  }

  /** SaslHandshake v1 + SaslAuthenticate v0 with PLAIN; resolves with the error code. */
  async authenticatePlain(user: string, password: string, authenticateVersion = 0): Promise<number> {
    const hs = await this.request(17, 1, (w) => w.string('PLAIN'));
    const hsError = hs.int16();
    if (hsError !== 0) return hsError;
    const auth = await this.request(36, authenticateVersion, (w) => w.bytes(Buffer.from(`\0${user}\0${password}`)));
    return auth.int16();
  }

  /** True if the broker closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
