/**
 * The verifying search: depth-first over atomic transitions from the state after the setup,
 * every state fingerprinted and expanded once, every transition checked (conformance, then every
 * invariant), every state where nothing can move checked for deadlock. Depth-first keeps memory
 * to the fingerprints and one path of states, so large scopes fit; the shortest counterexample is
 * found afterwards, breadth-first (shortest.ts), within the depth this search found a violation
 * at. It runs in slices so that the command line can show progress and take Ctrl-C.
 */
import type { Violation } from '../session.js';
import { Hasher, type HashOptions, type Renaming } from './fingerprint.js';
import { FingerprintSet } from './fingerprint-set.js';
import { deadlocked, type ExState, type Model, type Move } from './model.js';

export interface Reductions {
  /** Leave fresh-name counters out of the fingerprint. */
  readonly counters: boolean;
  /** Hash pending processes as a set. */
  readonly procs: boolean;
  /** Canonical representatives under the scope's declared symmetry. */
  readonly symmetry: boolean;
}

export const REDUCTION_NAMES = ['counters', 'procs', 'symmetry'] as const;

export const ALL_REDUCTIONS: Reductions = { counters: true, procs: true, symmetry: true };
export const NO_REDUCTIONS: Reductions = { counters: false, procs: false, symmetry: false };

export interface Bounds {
  readonly maxStates: number;
  readonly maxDepth: number;
  /** Milliseconds. */
  readonly time: number;
}

export const UNBOUNDED: Bounds = {
  maxStates: Number.POSITIVE_INFINITY,
  maxDepth: Number.POSITIVE_INFINITY,
  time: Number.POSITIVE_INFINITY,
};

export interface Stats {
  /** Distinct states (after reductions). */
  states: number;
  /** Transitions taken (atomic steps, each checked). */
  transitions: number;
  /** The longest path searched, in atomic steps. */
  depth: number;
  ms: number;
  /** States where nothing can move and no process is pending. */
  terminal: number;
  /** States where nothing can move and processes wait for a user action the workload lacks. */
  waitingForUser: number;
}

export type Cut = 'max-states' | 'max-depth' | 'time' | 'interrupt';

export type Verdict =
  | { readonly k: 'verified' }
  | {
      readonly k: 'violation';
      readonly violations: readonly Violation[];
      /** Atomic steps from the state after the setup. */
      readonly depth: number;
    }
  | { readonly k: 'deadlock'; readonly message: string; readonly depth: number }
  | { readonly k: 'cut'; readonly by: Cut };

export interface SearchOptions {
  readonly reductions: Reductions;
  readonly bounds: Bounds;
  /** Keep exploring past violations and collect every invariant violated anywhere. */
  readonly all?: boolean;
  /** The scope's symmetry (used when the symmetry reduction is on). */
  readonly renamings?: readonly Renaming[];
}

interface Frame {
  readonly s: ExState;
  readonly moves: readonly Move[];
  next: number;
  readonly depth: number;
}

/** Fingerprints a state, canonically under the scope's symmetry when that reduction is on. */
export class Canon {
  private readonly hasher: Hasher;
  private readonly renamed: Hasher[];

  constructor(reductions: Reductions, renamings: readonly Renaming[]) {
    const h: HashOptions = { counters: reductions.counters, procSet: reductions.procs };
    this.hasher = new Hasher(h);
    this.renamed = reductions.symmetry ? renamings.map((r) => new Hasher(h, r)) : [];
  }

  of(s: ExState): [number, number] {
    let [a, b] = this.hasher.hash(s);
    for (const r of this.renamed) {
      const [c, d] = r.hash(s);
      if (c < a || (c === a && d < b)) {
        a = c;
        b = d;
      }
    }
    return [a, b];
  }
}

export class Search {
  readonly stats: Stats = {
    states: 0,
    transitions: 0,
    depth: 0,
    ms: 0,
    terminal: 0,
    waitingForUser: 0,
  };
  /** With `all`: every invariant violated at some reachable state (and `deadlock`). */
  readonly violated = new Set<string>();
  verdict: Verdict | null = null;
  private readonly seen = new FingerprintSet();
  private readonly canon: Canon;
  private readonly stack: Frame[] = [];
  private readonly bounded: boolean;
  private elapsed = 0;
  private interrupted = false;
  private cutByDepth = false;

  constructor(
    readonly model: Model,
    readonly opts: SearchOptions,
    start: ExState,
  ) {
    this.canon = new Canon(opts.reductions, opts.renamings ?? []);
    this.bounded = Number.isFinite(opts.bounds.maxDepth);
    const [a, b] = this.canon.of(start);
    this.seen.visit(a, b, 0);
    this.stats.states = 1;
    this.verdict = this.push(start, 0);
  }

  /** Stop at the next slice boundary (Ctrl-C). */
  interrupt(): void {
    this.interrupted = true;
  }

  /** Memory the visited set takes, in bytes. */
  get tableBytes(): number {
    return this.seen.bytes;
  }

  /** Search for at most `sliceMs`; the verdict once the search is over, else null. */
  run(sliceMs = Number.POSITIVE_INFINITY): Verdict | null {
    if (this.verdict) return this.verdict;
    const t0 = performance.now();
    const until = t0 + sliceMs;
    const { bounds } = this.opts;
    let n = 0;
    for (;;) {
      if ((++n & 31) === 0) {
        const now = performance.now();
        if (this.interrupted) return this.finish({ k: 'cut', by: 'interrupt' }, now - t0);
        if (this.elapsed + now - t0 > bounds.time)
          return this.finish({ k: 'cut', by: 'time' }, now - t0);
        if (now > until) {
          this.elapsed += now - t0;
          this.stats.ms = this.elapsed;
          return null;
        }
      }
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        const v: Verdict = this.cutByDepth ? { k: 'cut', by: 'max-depth' } : { k: 'verified' };
        return this.finish(v, performance.now() - t0);
      }
      const m = top.moves[top.next];
      if (m === undefined) {
        this.stack.pop();
        continue;
      }
      top.next += 1;
      const last = top.next === top.moves.length;
      const child = last ? top.s : this.model.copy(top.s);
      if (last) this.stack.pop();
      const violations = this.model.apply(child, m);
      this.stats.transitions += 1;
      const depth = top.depth + 1;
      if (violations) {
        if (!this.opts.all)
          return this.finish({ k: 'violation', violations, depth }, performance.now() - t0);
        for (const v of violations) this.violated.add(v.invariant);
      }
      const [a, b] = this.canon.of(child);
      const fresh = this.seen.visit(a, b, this.bounded ? depth : 0);
      if (!fresh) continue;
      this.stats.states = this.seen.size;
      if (depth > this.stats.depth) this.stats.depth = depth;
      if (depth >= bounds.maxDepth) {
        const stop = this.model.moves(child).length > 0 ? null : this.terminal(child, depth);
        if (stop) return this.finish(stop, performance.now() - t0);
        if (this.model.moves(child).length > 0) this.cutByDepth = true;
        continue;
      }
      const stop = this.push(child, depth);
      if (stop) return this.finish(stop, performance.now() - t0);
      if (this.stats.states >= bounds.maxStates && this.stack.length > 0)
        return this.finish({ k: 'cut', by: 'max-states' }, performance.now() - t0);
    }
  }

  /** Push a state to expand; the verdict if it ends the search (a deadlock). */
  private push(s: ExState, depth: number): Verdict | null {
    const moves = this.model.moves(s);
    if (moves.length === 0) return this.terminal(s, depth);
    this.stack.push({ s, moves, next: 0, depth });
    return null;
  }

  private finish(v: Verdict, ms: number): Verdict {
    this.elapsed += ms;
    this.stats.ms = this.elapsed;
    this.verdict = v;
    return v;
  }

  /** A state where nothing can move: fine, waiting for a user action, or a deadlock. */
  private terminal(s: ExState, depth: number): Verdict | null {
    if (s.w.procs.length === 0) {
      this.stats.terminal += 1;
      return null;
    }
    const d = deadlocked(s.w);
    if (!d) {
      this.stats.waitingForUser += 1;
      return null;
    }
    if (this.opts.all) {
      this.violated.add('deadlock');
      return null;
    }
    return {
      k: 'deadlock',
      depth,
      message: `nothing can move: ${d.label} (${d.op}) waits on ${d.why}, which no pending process or remaining operation can end`,
    };
  }
}
