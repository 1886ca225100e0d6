/** Decoding one choice integer into a selection and its arguments (mixed radix). */

export class Choice {
  constructor(private r: number) {}

  /** An index below n; consumes the matching digit. */
  below(n: number): number {
    if (n <= 1) return 0;
    const i = this.r % n;
    this.r = Math.floor(this.r / n);
    return i;
  }

  pick<T>(xs: readonly T[]): T | undefined {
    return xs[this.below(xs.length)];
  }

  /** True about one time in n. */
  oneIn(n: number): boolean {
    return this.below(n) === 0;
  }
}
