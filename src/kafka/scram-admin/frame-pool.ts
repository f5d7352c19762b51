/**
 * Reusable receive buffers for large response frames that are read once and dropped (edge
 * lookups: a Fetch of every partition's edge batch, tens of MB, of which a few timestamps are kept).
 *
 * Why: a fresh buffer of that size is new memory for the process, and touching it for the first
 * time costs a page fault per 4 KB. On a virtual machine that is the dominant cost of such a
 * response (measured: joining a 26 MB response took 200–270 ms into fresh memory, 1.6 ms into a
 * buffer written before). A borrowed buffer is only valid until it is given back; the caller reads
 * it synchronously and keeps nothing that points into it.
 *
 * Buffers idle for {@link IDLE_RELEASE_MS} are released, so a worker does not hold the memory of
 * one incident's forensics for its lifetime.
 */

/** Frames smaller than this are joined the ordinary way (the allocator serves them cheaply). */
export const POOLED_FRAME_MIN = 256 * 1024;
const IDLE_RELEASE_MS = 60_000;
const MAX_FREE = 2;

const free: Buffer[] = [];
let releaseTimer: NodeJS.Timeout | undefined;

/** A buffer of at least `size` bytes, lent until {@link giveBack}. Contents are undefined. */
export function borrow(size: number): Buffer {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const b = free[i] as Buffer;
    if (b.length >= size && (best < 0 || b.length < (free[best] as Buffer).length)) best = i;
  }
  if (best >= 0) return free.splice(best, 1)[0] as Buffer;
  // Rounded up to a MB so a slightly larger next response still fits.
  return Buffer.allocUnsafeSlow(Math.ceil(size / 1_048_576) * 1_048_576);
}

/** Returns a borrowed buffer; the smallest is dropped when more than two are free. */
export function giveBack(buf: Buffer): void {
  free.push(buf);
  free.sort((a, b) => b.length - a.length);
  free.length = Math.min(free.length, MAX_FREE);
  if (releaseTimer !== undefined) clearTimeout(releaseTimer);
  releaseTimer = setTimeout(() => {
    free.length = 0;
    releaseTimer = undefined;
  }, IDLE_RELEASE_MS);
  releaseTimer.unref();
}
