/**
 * The set of visited states: 64-bit fingerprints in an open-addressing table of two Uint32Arrays,
 * with the depth each state was first reached at (so that a depth-bounded search expands a state
 * again when it finds a shorter way to it). About 11 bytes a state at most, no objects; the table
 * doubles at half load.
 */
export class FingerprintSet {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private depth: Uint16Array;
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    let n = 1;
    while (n < capacity) n <<= 1;
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.depth = new Uint16Array(n);
    this.used = new Uint8Array(n);
    this.mask = n - 1;
  }

  /**
   * Record a state reached at `depth`: true if it is new, or was known only at a greater depth
   * (then the smaller depth is kept).
   */
  visit(a: number, b: number, depth: number): boolean {
    if (this.size * 2 >= this.mask) this.grow();
    a >>>= 0;
    b >>>= 0;
    const d = Math.min(depth, 0xffff);
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    while (this.used[i] === 1) {
      if (this.lo[i] === a && this.hi[i] === b) {
        if (d < (this.depth[i] ?? 0)) {
          this.depth[i] = d;
          return true;
        }
        return false;
      }
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.lo[i] = a;
    this.hi[i] = b;
    this.depth[i] = d;
    this.size++;
    return true;
  }

  /** Bytes the table takes. */
  get bytes(): number {
    return this.lo.byteLength + this.hi.byteLength + this.depth.byteLength + this.used.byteLength;
  }

  private grow(): void {
    const { lo, hi, depth, used } = this;
    const n = (this.mask + 1) * 2;
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.depth = new Uint16Array(n);
    this.used = new Uint8Array(n);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++)
      if (used[i] === 1) this.visit(lo[i] ?? 0, hi[i] ?? 0, depth[i] ?? 0);
  }
}
