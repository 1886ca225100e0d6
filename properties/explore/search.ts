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
import { type Footprint, independent } from './footprint.js';
import { deadlocked, type ExState, type Model, type Move } from './model.js';

/** Moves a sleep set can name (64 bits in the visited table): more switch the reduction off. */
const MAX_MOVES = 64;

export interface Reductions {
  /** Leave fresh-name counters out of the fingerprint. */
  readonly counters: boolean;
  /** Hash pending processes as a set. */
  readonly procs: boolean;
  /** Hash notifier sequence values by their relations only (fingerprint.ts, seqGaps). */
  readonly seqs: boolean;
  /** Hash minted ids (invalidation, DMA, job, attach order) by their rank only (fingerprint.ts). */
  readonly ids: boolean;
  /** Canonical representatives under the scope's declared symmetry. */
  readonly symmetry: boolean;
  /** Sleep sets: a step independent of one already taken from a state is not taken again. */
  readonly por: boolean;
}

export const REDUCTION_NAMES = ['counters', 'procs', 'seqs', 'ids', 'symmetry', 'por'] as const;

export const ALL_REDUCTIONS: Reductions = {
  counters: true,
  procs: true,
  seqs: true,
  ids: true,
  symmetry: true,
  por: true,
};
/**
 * What explore uses unless told otherwise: everything but partial-order reduction, whose
 * bookkeeping costs about what it saves on the scopes we have (docs/explore.md).
 */
export const DEFAULT_REDUCTIONS: Reductions = { ...ALL_REDUCTIONS, por: false };
export const NO_REDUCTIONS: Reductions = {
  counters: false,
  procs: false,
  seqs: false,
  ids: false,
  symmetry: false,
  por: false,
};

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
  /** Transitions not taken because they were asleep (partial-order reduction). */
  asleep: number;
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

/** A sleep set: moves (by index) not to take from a state, with their footprints. */
type Sleep = ReadonlyMap<number, Footprint>;

interface Frame {
  readonly s: ExState;
  readonly moves: readonly Move[];
  next: number;
  readonly depth: number;
  readonly sleep: Sleep;
  /** Moves taken from this state so far, with their footprints (invisible ones only). */
  readonly done: [number, Footprint][];
}

const NO_SLEEP: Sleep = new Map();

/** Fingerprints a state, canonically under the scope's symmetry when that reduction is on. */
export class Canon {
  private readonly hasher: Hasher;
  private readonly renamed: Hasher[];

  constructor(reductions: Reductions, renamings: readonly Renaming[]) {
    const h: HashOptions = {
      counters: reductions.counters,
      procSet: reductions.procs,
      seqs: reductions.seqs,
      ids: reductions.ids,
    };
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
    asleep: 0,
  };
  /** With `all`: every invariant violated at some reachable state (and `deadlock`). */
  readonly violated = new Set<string>();
  verdict: Verdict | null = null;
  private readonly seen = new FingerprintSet();
  private readonly canon: Canon;
  private readonly stack: Frame[] = [];
  private readonly bounded: boolean;
  /** Whether partial-order reduction is on (it is off under symmetry and --max-depth). */
  readonly por: boolean;
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
    const symmetric = opts.reductions.symmetry && (opts.renamings ?? []).length > 0;
    this.por = opts.reductions.por && !symmetric && !this.bounded && model.moveCount <= MAX_MOVES;
    const [a, b] = this.canon.of(start);
    if (this.por) this.seen.visitAsleep(a, b, 0, 0);
    else this.seen.visit(a, b, 0);
    this.stats.states = 1;
    this.verdict = this.push(start, 0, NO_SLEEP, null);
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
      let violations: readonly Violation[] | null;
      let sleep = NO_SLEEP;
      if (this.por) {
        const { reductions } = this.opts;
        const r = this.model.applyRecorded(child, m, reductions.procs, reductions.counters);
        violations = r.violations;
        sleep = this.sleepAfter(top, r.footprint);
        if (!r.footprint.visible) top.done.push([this.model.moveIndex(m), r.footprint]);
      } else {
        violations = this.model.apply(child, m);
      }
      this.stats.transitions += 1;
      const depth = top.depth + 1;
      if (violations) {
        if (!this.opts.all)
          return this.finish({ k: 'violation', violations, depth }, performance.now() - t0);
        for (const v of violations) this.violated.add(v.invariant);
      }
      const [a, b] = this.canon.of(child);
      if (this.por) {
        let lo = 0;
        let hi = 0;
        for (const i of sleep.keys()) {
          if (i < 32) lo |= 1 << i;
          else hi |= 1 << (i - 32);
        }
        const redo = this.seen.visitAsleep(a, b, lo >>> 0, hi >>> 0);
        if (redo !== null) {
          // Seen before, expanded with a larger sleep set: take the moves asleep then, awake now.
          if ((redo[0] | redo[1]) === 0) continue;
          const stop = this.push(child, depth, sleep, redo);
          if (stop) return this.finish(stop, performance.now() - t0);
          continue;
        }
      } else if (!this.seen.visit(a, b, this.bounded ? depth : 0)) continue;
      this.stats.states = this.seen.size;
      if (depth > this.stats.depth) this.stats.depth = depth;
      if (depth >= bounds.maxDepth) {
        const stop = this.model.moves(child).length > 0 ? null : this.terminal(child, depth);
        if (stop) return this.finish(stop, performance.now() - t0);
        if (this.model.moves(child).length > 0) this.cutByDepth = true;
        continue;
      }
      const stop = this.push(child, depth, sleep, null);
      if (stop) return this.finish(stop, performance.now() - t0);
      if (this.stats.states >= bounds.maxStates && this.stack.length > 0)
        return this.finish({ k: 'cut', by: 'max-states' }, performance.now() - t0);
    }
  }

  /**
   * The sleep set of the state a step leads to: the moves asleep here, and those already taken
   * here, that are independent of the step (Godefroid's sleep sets).
   */
  private sleepAfter(top: Frame, fp: Footprint): Sleep {
    const out = new Map<number, Footprint>();
    for (const [i, f] of top.sleep) if (independent(f, fp)) out.set(i, f);
    for (const [i, f] of top.done) if (independent(f, fp)) out.set(i, f);
    return out;
  }

  /**
   * Push a state to expand, without the moves asleep there (or with only the moves `only`
   * names, when a state is expanded again); the verdict if it ends the search (a deadlock).
   */
  private push(
    s: ExState,
    depth: number,
    sleep: Sleep,
    only: readonly [number, number] | null,
  ): Verdict | null {
    const enabled = this.model.moves(s);
    if (enabled.length === 0) return only ? null : this.terminal(s, depth);
    const moves = enabled.filter((m) => {
      const i = this.model.moveIndex(m);
      if (sleep.has(i)) return false;
      if (!only) return true;
      return i < 32 ? ((only[0] >>> i) & 1) === 1 : ((only[1] >>> (i - 32)) & 1) === 1;
    });
    this.stats.asleep += enabled.length - moves.length;
    if (moves.length > 0) this.stack.push({ s, moves, next: 0, depth, sleep, done: [] });
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
