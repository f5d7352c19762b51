import { createHash } from 'node:crypto';

/**
 * The Merkle tree of an evidence manifest: RFC 6962 §2.1 (Certificate Transparency), chosen so a
 * third party can check a root or an inclusion proof with any CT library.
 *
 * - leaf hash  = SHA-256(0x00 ‖ record hash)      (the record hash is 32 raw bytes)
 * - node hash  = SHA-256(0x01 ‖ left ‖ right)
 * - a tree of n > 1 leaves splits at k, the largest power of two smaller than n; the empty tree's
 *   root is SHA-256 of nothing.
 *
 * The replay never holds every leaf: {@link MerkleAccumulator} keeps the roots of the perfect
 * subtrees seen so far (at most 64), which is all the root needs and fits in a heartbeat
 * checkpoint. Proofs are built later from the record hashes stored in the chunks.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** RFC 6962 leaf hash of one record hash. */
export function leafHash(recordHash: Buffer): Buffer {
  return createHash('sha256').update(LEAF).update(recordHash).digest();
}

/** RFC 6962 interior node hash. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** Root of the empty tree. */
export const EMPTY_ROOT = createHash('sha256').digest();

/**
 * Builds the root incrementally. `stack[i]` is the root of a perfect subtree; sizes strictly
 * decrease along the stack and are the binary digits of `size`, exactly RFC 6962's split.
 */
export class MerkleAccumulator {
  private stack: Array<{ height: number; hash: Buffer }> = [];
  private count = 0;

  /** Appends one record hash (32 bytes). */
  add(recordHash: Buffer): void {
    let node = { height: 0, hash: leafHash(recordHash) };
    for (let top = this.stack.at(-1); top !== undefined && top.height === node.height; top = this.stack.at(-1)) {
      this.stack.pop();
      node = { height: node.height + 1, hash: nodeHash(top.hash, node.hash) };
    }
    this.stack.push(node);
    this.count++;
  }

  /** Leaves added so far. */
  get size(): number {
    return this.count;
  }

  /** The RFC 6962 root of every leaf added so far. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let acc = (this.stack.at(-1) as { hash: Buffer }).hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash((this.stack[i] as { hash: Buffer }).hash, acc);
    return acc;
  }

  /** A compact, JSON-safe snapshot (for a heartbeat checkpoint). */
  save(): { size: number; stack: Array<[number, string]> } {
    return { size: this.count, stack: this.stack.map((n) => [n.height, n.hash.toString('hex')]) };
  }

  /** Restores a {@link save}d snapshot; undefined when it is not well formed. */
  static restore(saved: unknown): MerkleAccumulator | undefined {
    if (typeof saved !== 'object' || saved === null) return undefined;
    const s = saved as { size?: unknown; stack?: unknown };
    if (typeof s.size !== 'number' || !Array.isArray(s.stack)) return undefined;
    const acc = new MerkleAccumulator();
    let total = 0;
    for (const entry of s.stack as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'number' || typeof entry[1] !== 'string' || !/^[0-9a-f]{64}$/.test(entry[1])) return undefined;
      acc.stack.push({ height: entry[0], hash: Buffer.from(entry[1], 'hex') });
      total += 2 ** entry[0];
    }
    if (total !== s.size) return undefined;
    acc.count = s.size;
    return acc;
  }
}

/** Root of a whole list of record hashes (the verifier's way). */
export function merkleRoot(recordHashes: readonly Buffer[]): Buffer {
  const acc = new MerkleAccumulator();
  for (const h of recordHashes) acc.add(h);
  return acc.root();
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeRoot(leaves: readonly Buffer[], from: number, to: number): Buffer {
  if (to - from === 1) return leaves[from] as Buffer;
  const k = largestPowerOfTwoBelow(to - from);
  return nodeHash(subtreeRoot(leaves, from, from + k), subtreeRoot(leaves, from + k, to));
}

/**
 * RFC 6962 §2.1.1 audit path of leaf `index` among `recordHashes`, bottom-up. Memory is one leaf
 * hash per record of the window.
 */
export function inclusionProof(recordHashes: readonly Buffer[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= recordHashes.length) throw new RangeError(`leaf ${index} is outside a tree of ${recordHashes.length}`);
  const leaves = recordHashes.map(leafHash);
  const path: Buffer[] = [];
  const walk = (m: number, from: number, to: number): void => {
    if (to - from === 1) return;
    const k = largestPowerOfTwoBelow(to - from);
    if (m < k) {
      walk(m, from, from + k);
      path.push(subtreeRoot(leaves, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(subtreeRoot(leaves, from, from + k));
    }
  };
  walk(index, 0, leaves.length);
  return path;
}

/**
 * Recomputes the root from a record hash and its audit path (RFC 9162 §2.1.3.2's algorithm for
 * RFC 6962 trees); true when it equals `root`.
 */
export function verifyInclusion(recordHash: Buffer, index: number, size: number, path: readonly Buffer[], root: Buffer): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(recordHash);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}
