/**
 * Faster request decompression for the sandbox's gRPC server.
 *
 * The worker's core gzips every request it sends. grpc-js inflates each one through a zlib
 * stream, which goes through the libuv thread pool and back: in a profile of the sandbox under the
 * benchmark that was its largest single cost (about a fifth of its CPU), and one more event-loop
 * round per request. Requests are small, so a synchronous inflate is much cheaper and gives the
 * same bytes; the receive limit is kept (`maxOutputLength`, answered RESOURCE_EXHAUSTED with
 * grpc-js's own wording).
 *
 * grpc-js has no public hook for this, so the method is replaced on its exported call class,
 * once, and only if it has the shape this was written against (grpc-js 1.14); otherwise grpc-js
 * keeps its own. Other encodings and uncompressed messages go to the original.
 */
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { BaseServerInterceptingCall } from '@grpc/grpc-js/build/src/server-interceptors';

type Decompress = ((message: Buffer, encoding: string) => Buffer | Promise<Buffer>) & { fastGzip?: true };
/** The private parts of grpc-js's call this relies on. */
interface CallInternals {
  decompressMessage?: Decompress;
  maxReceiveMessageSize: number;
}

/** Installs the synchronous gzip path; idempotent. Returns whether it is in place. */
export function installFastGzip(): boolean {
  const proto = BaseServerInterceptingCall.prototype as unknown as CallInternals;
  const original = proto.decompressMessage;
  if (typeof original !== 'function' || original.length !== 2) return false;
  if (original.fastGzip) return true;
  const fast: Decompress = function (this: CallInternals, message: Buffer, encoding: string): Buffer | Promise<Buffer> {
    if (encoding !== 'gzip') return original.call(this, message, encoding);
    const limit = this.maxReceiveMessageSize;
    try {
      return zlib.gunzipSync(message.subarray(5), limit > 0 ? { maxOutputLength: limit } : {});
    } catch (err) {
      const tooLarge = err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      return Promise.reject(
        tooLarge
          ? { code: grpc.status.RESOURCE_EXHAUSTED, details: `Received message that decompresses to a size larger than ${limit}` }
          : { code: grpc.status.INTERNAL, details: 'Failed to decompress message' },
      );
    }
  };
  fast.fastGzip = true;
  proto.decompressMessage = fast;
  return true;
}
