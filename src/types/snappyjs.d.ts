/** The part of snappyjs (pure-JS Snappy, raw block format) this project calls. */
declare module 'snappyjs' {
  /** Decompresses one raw Snappy block; throws on corrupt input or when it would exceed `maxLength`. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
  /** Compresses into one raw Snappy block. */
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
}
