/**
 * One exploration of a scope, in three phases:
 *   1. probe: breadth-first over trace commands (shortest.ts) for the first 150 states — a
 *      shallow violation is found at once, already as the shortest trace, and a small scope is
 *      searched completely;
 *   2. verify: depth-first over atomic steps (search.ts) — every state, in little memory;
 *   3. shortest: on a violation or deadlock found at depth d, the breadth-first search goes on
 *      from where the probe stopped, up to d commands.
 * The trace is written as a devmem-trace/1 trace and replayed from scratch to confirm it. Runs in
 * slices so the command line can show progress and stop on Ctrl-C.
 */
import { faultInfo } from '../../src/world/faults.js';
import type { Violation } from '../session.js';
import type { Trace, TraceStep } from '../trace/types.js';
import type { Renaming } from './fingerprint.js';
import { type ExState, Model } from './model.js';
import type { Scope } from './scope.js';
import { type Bounds, type Cut, type Reductions, Search, type Stats } from './search.js';
import { BreadthFirst, type ShortestResult } from './shortest.js';
import { symmetryOf } from './symmetry.js';
import { commandSteps, exploreTrace, replayFound } from './trace.js';

/** States the breadth-first probe searches before the depth-first search takes over. */
const PROBE_STATES = 150;

export interface ExploreOptions {
  readonly faults: readonly string[];
  readonly reductions: Reductions;
  readonly bounds: Bounds;
  /** States the breadth-first probe searches first (default PROBE_STATES; 0: none). */
  readonly probeStates?: number;
}

export interface Counterexample {
  readonly trace: Trace;
  readonly steps: readonly TraceStep[];
  /** The violations replaying the trace reports at its last step (empty for a deadlock). */
  readonly violations: readonly Violation[];
  readonly deadlock: string | null;
  /** Commands after the setup. */
  readonly commands: number;
  /** Depth in atomic steps at which the depth-first search found it (null: the probe did). */
  readonly atomicDepth: number | null;
}

export type Outcome =
  | { readonly k: 'verified' }
  | { readonly k: 'cut'; readonly by: Cut }
  | { readonly k: 'violation'; readonly found: Counterexample }
  | { readonly k: 'deadlock'; readonly found: Counterexample };

/** The breadth-first search's figures. */
export interface BreadthStats {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly ms: number;
}

export interface ExploreResult {
  readonly outcome: Outcome;
  /** The state space searched: the depth-first search's, or the probe's if it did it all. */
  readonly stats: Stats;
  /** Which search the figures are of. */
  readonly by: 'depth-first' | 'breadth-first';
  readonly breadth: BreadthStats;
  /** Milliseconds of searching (both searches), and from the start (setup included). */
  readonly searchMs: number;
  readonly totalMs: number;
  readonly renamings: number;
}

export class ExploreError extends Error {}

type Phase = 'probe' | 'verify' | 'shortest' | 'done';

/**
 * Operations whose outcome depends on the order of pending processes (dev.unplug's release
 * names the first process holding the device's memory): with one in the scope, pending
 * processes stay a list, not a set (the `procs` reduction is off). test/explore-reductions
 * lists every read of the process list in src/.
 */
export const ORDER_SENSITIVE_OPS: readonly string[] = ['dev.unplug'];

/**
 * Faults that move the notifier sequence back: with one on, a gap between sequence values can
 * shrink step by step, so the `seqs` reduction (which hashes gaps of 3 and 5 alike) is off.
 */
export const SEQ_STEPS_BACK: readonly string[] = ['insert-seq-backwards'];

export class Exploration {
  readonly model: Model;
  /** The reductions in force (the ones asked for, less those the scope rules out). */
  reductions: Reductions;
  /** Why a reduction asked for is not in force. */
  readonly notes: readonly string[];
  readonly faults: readonly string[];
  readonly search: Search;
  readonly bfs: BreadthFirst;
  private readonly start: ExState;
  private readonly renamings: readonly Renaming[];
  private readonly t0 = performance.now();
  private phase: Phase = 'probe';
  private atomicDepth: number | null = null;
  private result: ExploreResult | null = null;
  private interrupted = false;

  constructor(
    readonly scope: Scope,
    readonly scopeFile: string,
    readonly opts: ExploreOptions,
  ) {
    this.faults = [...new Set([...scope.faults, ...opts.faults])];
    const notes: string[] = [];
    let reductions = opts.reductions;
    const ops = [
      ...scope.setup.map((s) => s.op),
      ...scope.threads.flatMap((t) => t.ops.map((o) => o.op)),
    ];
    const sensitive = ORDER_SENSITIVE_OPS.find((op) => ops.includes(op));
    if (reductions.procs && sensitive) {
      reductions = { ...reductions, procs: false };
      notes.push(`procs off: ${sensitive} depends on the order of pending processes`);
    }
    const back = SEQ_STEPS_BACK.find((f) => this.faults.includes(f));
    if (reductions.seqs && back) {
      reductions = { ...reductions, seqs: false };
      notes.push(`seqs off: ${back} moves the notifier sequence back`);
    }
    this.reductions = reductions;
    this.notes = notes;
    this.model = new Model(scope, this.faults);
    const init = this.model.initial();
    this.start = init.state;
    this.renamings = symmetryOf(this.model, this.start);
    const prefer = this.faults.flatMap((f) => {
      const t = faultInfo(f)?.trips;
      return t ? [t] : [];
    });
    this.bfs = new BreadthFirst(
      this.model,
      this.model.copy(this.start),
      prefer,
      reductions,
      this.renamings,
    );
    this.bfs.limit = opts.bounds.maxDepth;
    this.search = new Search(
      this.model,
      { reductions, bounds: opts.bounds, renamings: this.renamings },
      this.start,
    );
    if (reductions.por && !this.search.por) {
      this.reductions = { ...reductions, por: false };
      notes.push(
        'por off: it does not combine with symmetry or --max-depth here, or the scope has more than 64 moves',
      );
    }
    if (init.violations && init.setupFail !== null) {
      // The setup itself violates: that prefix is the counterexample.
      const steps = this.model.scope.setup.slice(0, init.setupFail + 1);
      this.result = this.finishWith(steps, null);
    }
  }

  /** Which phase is running (for progress). */
  get running(): Phase {
    return this.phase;
  }

  interrupt(): void {
    this.interrupted = true;
    this.search.interrupt();
  }

  /** Work for at most sliceMs; the result once done, else null. */
  run(sliceMs = Number.POSITIVE_INFINITY): ExploreResult | null {
    if (this.result) return this.result;
    const until = performance.now() + sliceMs;
    const { bounds } = this.opts;
    if (this.interrupted) return this.done({ k: 'cut', by: 'interrupt' });
    if (this.elapsed() > bounds.time) return this.done({ k: 'cut', by: 'time' });
    if (this.phase === 'probe') {
      const stop = this.bfs.run(
        Math.min(this.opts.probeStates ?? PROBE_STATES, bounds.maxStates),
        until,
      );
      if (stop === null) {
        if (performance.now() < until) this.phase = 'verify';
        return null;
      }
      if (stop.k === 'found') return this.shortestDone(stop.result);
      // Searched completely (or every state within --max-depth) by the probe alone.
      if (stop.k === 'exhausted') return this.done({ k: 'verified' }, 'breadth-first');
      return this.done({ k: 'cut', by: 'max-depth' }, 'breadth-first');
    }
    if (this.phase === 'verify') {
      const v = this.search.run(Math.max(0, until - performance.now()));
      if (!v) return null;
      if (v.k === 'verified' || v.k === 'cut')
        return this.done(v.k === 'cut' ? { k: 'cut', by: v.by } : { k: 'verified' });
      this.phase = 'shortest';
      this.atomicDepth = v.depth;
      // The search reached it in v.depth atomic steps: no trace needs more commands.
      this.bfs.limit = Math.min(this.bfs.limit, v.depth);
    }
    if (this.phase === 'shortest') {
      const stop = this.bfs.run(Number.POSITIVE_INFINITY, until);
      if (stop === null) return null;
      if (stop.k !== 'found')
        throw new ExploreError(
          'explore: the breadth-first search found nothing within the depth the depth-first search found a violation at (a bug in explore)',
        );
      return this.shortestDone(stop.result);
    }
    return this.result;
  }

  /** Run to the end (tests, bench). */
  runAll(): ExploreResult {
    for (;;) {
      const r = this.run(100);
      if (r) return r;
    }
  }

  private elapsed(): number {
    return performance.now() - this.t0;
  }

  private shortestDone(r: ShortestResult): ExploreResult {
    const steps = commandSteps(this.model, this.start, r.commands);
    return this.finishWith(steps, r.deadlock);
  }

  private finishWith(steps: readonly TraceStep[], deadlock: string | null): ExploreResult {
    const replayed = replayFound(this.model, this.faults, steps);
    if (deadlock === null && (!replayed || replayed.step !== steps.length - 1))
      throw new ExploreError(
        `explore: the counterexample does not replay to its violation at step ${steps.length - 1} (a bug in explore)`,
      );
    const violations = replayed?.violations ?? [];
    const commands = steps.length - this.model.scope.setup.length;
    const invariants = deadlock !== null ? ['deadlock'] : violations.map((x) => x.invariant);
    const description =
      deadlock !== null
        ? `Shortest trace of ${this.scopeFile} to a deadlock (${deadlock}), found by explore.`
        : `Shortest trace of ${this.scopeFile} to a violation of ${invariants.join(', ')}, found by explore.`;
    const trace = exploreTrace(
      this.model,
      this.scopeFile,
      this.faults,
      steps,
      { invariants, step: steps.length - 1, ...(deadlock !== null ? { deadlock } : {}) },
      description,
    );
    const found: Counterexample = {
      trace,
      steps,
      violations,
      deadlock,
      commands,
      atomicDepth: this.atomicDepth,
    };
    const by = this.atomicDepth === null ? 'breadth-first' : 'depth-first';
    return this.done(deadlock !== null ? { k: 'deadlock', found } : { k: 'violation', found }, by);
  }

  private done(outcome: Outcome, by?: 'depth-first' | 'breadth-first'): ExploreResult {
    this.phase = 'done';
    const b = this.bfs;
    const breadth: BreadthStats = {
      states: b.states,
      transitions: b.transitions,
      depth: b.depth,
      ms: b.ms,
    };
    const which = by ?? (this.search.stats.transitions > 0 ? 'depth-first' : 'breadth-first');
    const stats: Stats =
      which === 'depth-first'
        ? { ...this.search.stats }
        : {
            states: b.states,
            transitions: b.transitions,
            depth: b.depth,
            ms: b.ms,
            terminal: b.terminal,
            waitingForUser: b.waitingForUser,
            asleep: 0,
          };
    this.result = {
      outcome,
      stats,
      by: which,
      breadth,
      searchMs: this.search.stats.ms + b.ms,
      totalMs: this.elapsed(),
      renamings: this.renamings.length,
    };
    return this.result;
  }
}
