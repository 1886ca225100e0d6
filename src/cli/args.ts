/**
 * Parsers for option values, for commander's `.option(flags, text, parser)`: each rejects what
 * it cannot take exactly (no `1e23`, no `0x10`, nothing beyond its bound) with a message that
 * says what it expects.
 */
import { InvalidArgumentError } from 'commander';
import { OP_FAMILIES } from '../../properties/gen/profile.js';
import { FAULT_NAMES } from '../world/faults.js';

function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** A decimal integer in [min, max]. */
export function integer(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(
        `Expected an integer from ${grouped(min)} to ${grouped(max)}.`,
      );
    return n;
  };
}

/** `i/n` with 1 ≤ i ≤ n ≤ max: the i-th of n slices. */
export function shardOf(max: number): (v: string) => { index: number; count: number } {
  return (v) => {
    const m = /^(\d+)\/(\d+)$/.exec(v);
    const i = Number(m?.[1]);
    const n = Number(m?.[2]);
    if (!m || i < 1 || n < 1 || i > n || n > max)
      throw new InvalidArgumentError(`Expected i/n with 1 ≤ i ≤ n ≤ ${grouped(max)}, as in 2/8.`);
    return { index: i - 1, count: n };
  };
}

/** Seconds as a decimal number in (0, max]. */
export function seconds(max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || n <= 0 || n > max)
      throw new InvalidArgumentError(
        `Expected seconds, a number above 0 and at most ${grouped(max)}.`,
      );
    return n;
  };
}

/** A comma-separated list of fault names of the catalogue; no empty names. */
export function faultList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim());
  if (names.some((n) => n === ''))
    throw new InvalidArgumentError('Expected fault names separated by commas, none empty.');
  for (const n of names) {
    if (!FAULT_NAMES.includes(n))
      throw new InvalidArgumentError(`Unknown fault "${n}" (see devmem-model faults).`);
  }
  return [...new Set(names)];
}

/** A comma-separated list of the generator's operation families (`--focus`). */
export function familyList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(OP_FAMILIES as readonly string[]).includes(n))
      throw new InvalidArgumentError(
        `Unknown family "${n}" (families: ${OP_FAMILIES.join(', ')}).`,
      );
  }
  return [...new Set(names)];
}
