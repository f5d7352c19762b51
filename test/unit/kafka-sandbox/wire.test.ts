import { describe, expect, it } from 'vitest';
import { KafkaProtocolError, KafkaReader, KafkaWriter } from '../../../src/kafka/wire';

describe('kafka wire primitives', () => {
  it('round-trips fixed-width, classic and compact types', () => {
    const big = Buffer.alloc(300, 7);
    const buf = new KafkaWriter()
      .int8(-3).int16(-300).int32(-70000).uint32(0xfffffffe).int64(-(2n ** 60n)).boolean(true)
      .string('héllo').string(null).compactString('topic').compactString(null)
      .bytes(big).bytes(null).compactBytes(Buffer.from('ab')).compactBytes(null)
      .array([1, 2, 3], (w, n) => w.int32(n)).array(null, (w, n: number) => w.int32(n))
      .compactArray(['x', 'y'], (w, s) => w.compactString(s).tagBuffer()).compactArray(null, (w, s: string) => w.string(s))
      .tagBuffer()
      .build();
    const r = new KafkaReader(buf);
    expect(r.int8()).toBe(-3);
    expect(r.int16()).toBe(-300);
    expect(r.int32()).toBe(-70000);
    expect(r.uint32()).toBe(0xfffffffe);
    expect(r.int64()).toBe(-(2n ** 60n));
    expect(r.boolean()).toBe(true);
    expect(r.string()).toBe('héllo');
    expect(r.string()).toBeNull();
    expect(r.compactString()).toBe('topic');
    expect(r.compactString()).toBeNull();
    expect(r.bytes()).toEqual(big);
    expect(r.bytes()).toBeNull();
    expect(r.compactBytes()).toEqual(Buffer.from('ab'));
    expect(r.compactBytes()).toBeNull();
    expect(r.array((x) => x.int32())).toEqual([1, 2, 3]);
    expect(r.array((x) => x.int32())).toBeNull();
    expect(r.compactArray((x) => { const s = x.compactString(); x.skipTagBuffer(); return s; })).toEqual(['x', 'y']);
    expect(r.compactArray((x) => x.string())).toBeNull();
    r.skipTagBuffer();
    expect(r.remaining()).toBe(0);
  });

  it('encodes varints with zigzag and uvarints as plain LEB128 (golden bytes)', () => {
    expect(new KafkaWriter().varint(0).varint(-1).varint(1).varint(-64).varint(64).build()).toEqual(
      Buffer.from([0x00, 0x01, 0x02, 0x7f, 0x80, 0x01]),
    );
    expect(new KafkaWriter().uvarint(300).build()).toEqual(Buffer.from([0xac, 0x02]));
    expect(new KafkaWriter().compactString('a').build()).toEqual(Buffer.from([0x02, 0x61]));
    for (const v of [0n, -1n, 1n, 2n ** 40n, -(2n ** 63n), 2n ** 63n - 1n]) {
      expect(new KafkaReader(new KafkaWriter().varlong(v).build()).varlong()).toBe(v);
    }
    for (const v of [0, -1, 2147483647, -2147483648, 12345]) {
      expect(new KafkaReader(new KafkaWriter().varint(v).build()).varint()).toBe(v);
    }
  });

  it('frames the payload with its INT32 size', () => {
    const framed = new KafkaWriter().int16(18).int16(2).buildFramed();
    expect(framed).toEqual(Buffer.from([0, 0, 0, 4, 0, 18, 0, 2]));
    const big = Buffer.alloc(100, 9);
    const w = new KafkaWriter().int16(1).raw(big).int8(7);
    const chunks = w.framedChunks();
    expect(chunks).toContain(big);
    expect(Buffer.concat(chunks)).toEqual(w.buildFramed());
  });

  it('throws KafkaProtocolError on underflow and forged lengths', () => {
    expect(() => new KafkaReader(Buffer.from([0, 1])).int32()).toThrow(KafkaProtocolError);
    expect(() => new KafkaReader(Buffer.from([0, 5, 0x61])).string()).toThrow(KafkaProtocolError);
    expect(() => new KafkaReader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).array((r) => r.int8())).toThrow(KafkaProtocolError);
    expect(() => new KafkaReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).uvarint()).toThrow(KafkaProtocolError);
    expect(() => new KafkaReader(Buffer.from([0xff, 0xfe])).string()).toThrow(KafkaProtocolError);
  });
});
