import { randomBytes } from 'node:crypto';

/*
 * Shamir secret sharing over GF(2^8) (the AES field, reduction polynomial 0x11b), as Vault uses
 * for unseal keys. Each share is the polynomial values for every secret byte followed by one byte
 * holding the share's x coordinate, so shares are self-describing and order does not matter.
 */

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
(() => {
  let x = 1;
  for (let i = 0; i < 255; i += 1) {
    EXP[i] = x;
    LOG[x] = i;
    // multiply by the generator 3: x*2 xor x, reduced
    let doubled = x << 1;
    if (doubled & 0x100) doubled ^= 0x11b;
    x = doubled ^ x;
  }
  for (let i = 255; i < 510; i += 1) EXP[i] = EXP[i - 255] as number;
})();

function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[(LOG[a] as number) + (LOG[b] as number)] as number;
}

function div(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero in GF(256)');
  if (a === 0) return 0;
  return EXP[((LOG[a] as number) - (LOG[b] as number) + 255) % 255] as number;
}

/** Splits `secret` into `shares` parts of which any `threshold` recombine it. */
export function splitSecret(secret: Buffer, shares: number, threshold: number): Buffer[] {
  if (!Number.isInteger(shares) || !Number.isInteger(threshold) || threshold < 1 || shares < threshold || shares > 255) {
    throw new RangeError('need 1 <= threshold <= shares <= 255');
  }
  const out = Array.from({ length: shares }, (_, i) => {
    const b = Buffer.alloc(secret.length + 1);
    b[secret.length] = i + 1;
    return b;
  });
  for (let byte = 0; byte < secret.length; byte += 1) {
    const coeffs = [secret[byte] as number, ...randomBytes(threshold - 1)];
    for (const share of out) {
      const x = share[secret.length] as number;
      // Horner's rule, highest coefficient first
      let y = 0;
      for (let k = coeffs.length - 1; k >= 0; k -= 1) y = mul(y, x) ^ (coeffs[k] as number);
      share[byte] = y;
    }
  }
  return out;
}

/** Recombines shares by Lagrange interpolation at x = 0; wrong or too few shares give a wrong secret. */
export function combineShares(shares: readonly Buffer[]): Buffer {
  const first = shares[0];
  if (!first || first.length < 2) throw new RangeError('no shares');
  const len = first.length - 1;
  if (shares.some((s) => s.length !== first.length)) throw new RangeError('shares differ in length');
  const xs = shares.map((s) => s[len] as number);
  if (new Set(xs).size !== xs.length) throw new RangeError('duplicate share');
  const secret = Buffer.alloc(len);
  for (let byte = 0; byte < len; byte += 1) {
    let acc = 0;
    shares.forEach((share, i) => {
      let basis = 1;
      xs.forEach((xj, j) => {
        if (j !== i) basis = mul(basis, div(xj, xj ^ (xs[i] as number)));
      });
      acc ^= mul(share[byte] as number, basis);
    });
    secret[byte] = acc;
  }
  return secret;
}
