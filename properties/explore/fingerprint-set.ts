/**
 * The set of visited states: 64-bit fingerprints in an open-addressing table of typed arrays,
 * with the depth each state was first reached at (so that a depth-bounded search expands a state
 * again when it finds a shorter way to it) and the sleep set it was expanded with (partial-order
 * reduction). 19 bytes a slot, no objects; the table doubles at half load.
 */
export class FingerprintSet {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private depth: Uint16Array;
  /** The sleep set a state was expanded with (partial-order reduction), 64 bits of moves. */
  private sleepLo: Uint32Array;
  private sleepHi: Uint32Array;
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    let n = 1;
    while (n < capacity) n <<= 1;
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.depth = new Uint16Array(n);
    this.sleepLo = new Uint32Array(n);
    this.sleepHi = new Uint32Array(n);
    this.used = new Uint8Array(n);
    this.mask = n - 1;
  }

  private slot(a: number, b: number): number {
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    while (this.used[i] === 1) {
      if (this.lo[i] === a && this.hi[i] === b) return i;
      i = (i + 1) & this.mask;
    }
    return -1 - i;
  }

  /**
   * Record a state reached with a sleep set (lo, hi): null if it is new (the sleep set is kept);
   * otherwise the moves it must still be expanded with — those asleep at every earlier visit but
   * awake now (0, 0: none) — and the kept sleep set becomes the intersection.
   */
  visitAsleep(a: number, b: number, lo: number, hi: number): [number, number] | null {
    if (this.size * 2 >= this.mask) this.grow();
    a >>>= 0;
    b >>>= 0;
    const i = this.slot(a, b);
    if (i < 0) {
      const j = -1 - i;
      this.used[j] = 1;
      this.lo[j] = a;
      this.hi[j] = b;
      this.sleepLo[j] = lo;
      this.sleepHi[j] = hi;
      this.size++;
      return null;
    }
    const oldLo = this.sleepLo[i] ?? 0;
    const oldHi = this.sleepHi[i] ?? 0;
    this.sleepLo[i] = (oldLo & lo) >>> 0;
    this.sleepHi[i] = (oldHi & hi) >>> 0;
    return [(oldLo & ~lo) >>> 0, (oldHi & ~hi) >>> 0];
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
    return (
      this.lo.byteLength +
      this.hi.byteLength +
      this.depth.byteLength +
      this.sleepLo.byteLength +
      this.sleepHi.byteLength +
      this.used.byteLength
    );
  }

  private grow(): void {
    const { lo, hi, depth, sleepLo, sleepHi, used } = this;
    const n = (this.mask + 1) * 2;
    this.lo = new Uint32Array(n);
    this.hi = new Uint32Array(n);
    this.depth = new Uint16Array(n);
    this.sleepLo = new Uint32Array(n);
    this.sleepHi = new Uint32Array(n);
    this.used = new Uint8Array(n);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < used.length; i++) {
      if (used[i] !== 1) continue;
      const j = -1 - this.slot(lo[i] ?? 0, hi[i] ?? 0);
      this.used[j] = 1;
      this.lo[j] = lo[i] ?? 0;
      this.hi[j] = hi[i] ?? 0;
      this.depth[j] = depth[i] ?? 0;
      this.sleepLo[j] = sleepLo[i] ?? 0;
      this.sleepHi[j] = sleepHi[i] ?? 0;
      this.size++;
    }
  }
}
