import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaReader, KafkaWriter } from '../../src/kafka/wire';
import { start, type RunningKafkaSandbox } from '../../src/sandbox/kafka';
import { API_VERSIONS } from '../../src/sandbox/kafka/protocol/api-keys';

/** A socket that hands back whole frames (INT32 size + payload), whatever they hold. */
class FrameSocket {
  private buffered = Buffer.alloc(0);
  private waiting: Array<(frame: Buffer | null) => void> = [];
  private closed = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        this.waiting.shift()?.(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  static open(address: string): Promise<FrameSocket> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const s = connect({ host, port: Number(port) }, () => resolve(new FrameSocket(s)));
      s.once('error', reject);
    });
  }

  /** Sends a payload with its size prefix and resolves with the next frame, or null if the broker closed. */
  exchange(payload: Buffer): Promise<Buffer | null> {
    if (this.closed) return Promise.resolve(null);
    const next = new Promise<Buffer | null>((resolve) => this.waiting.push(resolve));
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length, 0);
    this.socket.write(Buffer.concat([size, payload]));
    return next;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const header = (apiKey: number, version: number, correlationId: number, flexible = false): KafkaWriter => {
  const w = new KafkaWriter().int16(apiKey).int16(version).int32(correlationId).string('bytes-test');
  return flexible ? w.tagBuffer() : w;
};
const advertised = API_VERSIONS.map((a) => ({ key: a.key, min: a.min, max: a.max }));

/**
 * The handshake paths librdkafka and kafka-python depend on, checked byte by byte against Kafka's
 * rules rather than through a client library that might paper over a deviation.
 */
describe('handshake bytes', () => {
  let sandbox: RunningKafkaSandbox;
  const sockets: FrameSocket[] = [];
  const open = async (): Promise<FrameSocket> => {
    const s = await FrameSocket.open(sandbox.connection.brokers[0] as string);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    sandbox = await start({ port: 0 });
    sandbox.broker.credentials.setPassword('bob', 'bob-pass');
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await sandbox?.close();
  });

  it('answers librdkafka\'s captured ApiVersions v3 request with response header v0 and a flexible v3 body', async () => {
    const captured = Buffer.from(readFileSync(join(__dirname, '..', 'unit', 'kafka-sandbox', 'fixtures', 'wire', 'librdkafka-api-versions-v3-request.hex'), 'utf8').trim(), 'hex');
    const res = await (await open()).exchange(captured);
    const r = new KafkaReader(res as Buffer);
    expect(r.int32()).toBe(captured.readInt32BE(4));
    // No tag buffer after the correlation id: the error code follows at once.
    expect(r.int16()).toBe(0);
    const apis = r.compactArray((x) => {
      const a = { key: x.int16(), min: x.int16(), max: x.int16() };
      x.skipTagBuffer();
      return a;
    });
    expect(apis).toEqual(advertised);
    expect(r.int32()).toBe(0); // throttle_time_ms
    r.skipTagBuffer();
    expect(r.remaining()).toBe(0);
  });

  it('answers an ApiVersions version it does not know with error 35 and the ranges in a v0 body', async () => {
    const res = await (await open()).exchange(header(18, 9, 42, true).compactString('future').compactString('9.9').tagBuffer().build());
    const r = new KafkaReader(res as Buffer);
    expect(r.int32()).toBe(42);
    expect(r.int16()).toBe(35);
    expect(r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() }))).toEqual(advertised);
    expect(r.remaining()).toBe(0);
  });

  it('refuses ApiVersions v3 with an invalid client software name (INVALID_REQUEST)', async () => {
    const res = await (await open()).exchange(header(18, 3, 5, true).compactString('bad name!').compactString('1.0').tagBuffer().build());
    const r = new KafkaReader(res as Buffer);
    expect(r.int32()).toBe(5);
    expect(r.int16()).toBe(42);
  });

  it('after SaslHandshake v0 takes raw PLAIN tokens, answers with a raw empty token, then serves requests', async () => {
    const s = await open();
    const hs = new KafkaReader((await s.exchange(header(17, 0, 1).string('PLAIN').build())) as Buffer);
    expect(hs.int32()).toBe(1);
    expect(hs.int16()).toBe(0);
    // A raw token: no header, just the INT32 length; the answer is a zero-length token.
    const token = await s.exchange(Buffer.from('\0bob\0bob-pass'));
    expect(token?.length).toBe(0);
    const meta = new KafkaReader((await s.exchange(header(3, 0, 2).array([], () => undefined).build())) as Buffer);
    expect(meta.int32()).toBe(2);
    expect(meta.array((x) => ({ node: x.int32(), host: x.string(), port: x.int32() }))).toEqual([
      { node: sandbox.broker.nodeId, host: sandbox.broker.host, port: sandbox.broker.port },
    ]);
  });

  it('closes the connection on a wrong raw token, as Kafka does (a raw token carries no error)', async () => {
    const s = await open();
    await s.exchange(header(17, 0, 1).string('PLAIN').build());
    expect(await s.exchange(Buffer.from('\0bob\0wrong'))).toBeNull();
  });

  it('serves SaslAuthenticate v2 with flexible headers and compact fields', async () => {
    const s = await open();
    await s.exchange(header(17, 1, 1).string('PLAIN').build());
    const res = await s.exchange(header(36, 2, 2, true).compactBytes(Buffer.from('\0bob\0bob-pass')).tagBuffer().build());
    const r = new KafkaReader(res as Buffer);
    expect(r.int32()).toBe(2);
    r.skipTagBuffer(); // response header v1
    expect(r.int16()).toBe(0);
    expect(r.compactString()).toBeNull();
    expect(r.compactBytes()?.length).toBe(0);
    expect(r.int64()).toBe(0n);
    r.skipTagBuffer();
    expect(r.remaining()).toBe(0);
  });
});
