/** The part of lz4js (pure-JS LZ4, frame format) this project calls. */
declare module 'lz4js' {
  /** Decompresses an LZ4 frame; `maxSize` bounds the output. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses into an LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}
