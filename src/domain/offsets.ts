import { InvalidOffsetError } from './errors';
import type { DecimalString } from './events';

/** The largest int64: Kafka offsets and counts never exceed it. */
export const INT64_MAX = (1n << 63n) - 1n;

/** An offset or count as callers may hand it in: a bigint or a decimal string. */
export type OffsetInput = bigint | DecimalString;

/**
 * Reads an int64 given as a bigint or a decimal string. Numbers are refused on purpose: above
 * 2^53 a double has already lost the low digits, so accepting one would hide the bug upstream.
 */
export function toOffset(input: OffsetInput, allowNegative = false): bigint {
  let value: bigint;
  if (typeof input === 'bigint') {
    value = input;
  } else if (typeof input === 'string' && /^-?(0|[1-9][0-9]*)$/.test(input)) {
    value = BigInt(input);
  } else {
    throw new InvalidOffsetError(String(input), 'expected a bigint or a base-10 integer string');
  }
  if (value > INT64_MAX || value < -INT64_MAX - 1n) throw new InvalidOffsetError(String(input), 'outside int64');
  if (!allowNegative && value < 0n) throw new InvalidOffsetError(String(input), 'must not be negative');
  return value;
}

/** Writes an int64 as the decimal string events carry. */
export function offsetString(value: bigint): DecimalString {
  return value.toString(10);
}

/** Adds decimal strings exactly. */
export function addDecimal(a: DecimalString, b: DecimalString): DecimalString {
  return (BigInt(a) + BigInt(b)).toString(10);
}
