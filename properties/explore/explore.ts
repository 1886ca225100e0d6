/**
 * One exploration of a scope: verify (search.ts: every state, depth-first, with reductions);
 * on a violation or deadlock, find the shortest trace in commands (shortest.ts), write it as a
 * devmem-trace/1 trace and replay it from scratch to confirm it violates what was found. Runs
 * in slices so the command line can show progress and stop on Ctrl-C.
 */
import { faultInfo } from '../../src/world/faults.js';
import type { Violation } from '../session.js';
import type { Trace, TraceStep } from '../trace/types.js';
import type { Renaming } from './fingerprint.js';
import { type ExState, Model } from './model.js';
import type { Scope } from './scope.js';
import {
  type Bounds,
  type Cut,
  type Reductions,
  Search,
  type Stats,
  type Verdict,
} from './search.js';
import { type ShortestResult, shortest, type Target } from './shortest.js';
import { symmetryOf } from './symmetry.js';
import { commandSteps, exploreTrace, replayFound } from './trace.js';

export interface ExploreOptions {
  readonly faults: readonly string[];
  readonly reductions: Reductions;
  readonly bounds: Bounds;
}

export interface Counterexample {
  readonly trace: Trace;
  readonly steps: readonly TraceStep[];
  /** The violations replaying the trace reports at its last step (empty for a deadlock). */
  readonly violations: readonly Violation[];
  readonly deadlock: string | null;
  /** Commands after the setup. */
  readonly commands: number;
  /** The verifying search's depth of the violation, in atomic steps. */
  readonly atomicDepth: number;
  /** The shortest-trace search: states and milliseconds. */
  readonly shortestStates: number;
  readonly shortestMs: number;
}

export type Outcome =
  | { readonly k: 'verified' }
  | { readonly k: 'cut'; readonly by: Cut }
  | { readonly k: 'violation'; readonly found: Counterexample }
  | { readonly k: 'deadlock'; readonly found: Counterexample };

export interface ExploreResult {
  readonly outcome: Outcome;
  readonly stats: Stats;
  /** Milliseconds: the verifying search, then the shortest-trace search. */
  readonly searchMs: number;
  readonly totalMs: number;
  readonly renamings: number;
}

export class ExploreError extends Error {}

export class Exploration {
  readonly model: Model;
  readonly faults: readonly string[];
  readonly search: Search;
  private readonly start: ExState;
  private readonly renamings: readonly Renaming[];
  private readonly t0 = performance.now();
  private phase: 'verify' | 'shortest' | 'done' = 'verify';
  private gen: Generator<number, ShortestResult | null> | null = null;
  private verdict: Verdict | null = null;
  private result: ExploreResult | null = null;
  private interrupted = false;
  /** States the shortest-trace search has seen so far. */
  shortestStates = 0;

  constructor(
    readonly scope: Scope,
    readonly scopeFile: string,
    readonly opts: ExploreOptions,
  ) {
    this.faults = [...new Set([...scope.faults, ...opts.faults])];
    this.model = new Model(scope, this.faults);
    const init = this.model.initial();
    this.start = init.state;
    this.renamings = symmetryOf(this.model, this.start);
    this.search = new Search(
      this.model,
      { reductions: opts.reductions, bounds: opts.bounds, renamings: this.renamings },
      this.start,
    );
    if (init.violations && init.setupFail !== null) {
      // The setup itself violates: that prefix is the counterexample.
      const steps = this.model.scope.setup.slice(0, init.setupFail + 1);
      this.result = this.finishWith(steps, 0, { states: 0, ms: 0 }, null);
    }
  }

  /** Which phase is running (for progress). */
  get running(): 'verify' | 'shortest' | 'done' {
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
    if (this.phase === 'verify') {
      const v = this.search.run(sliceMs);
      if (!v) return null;
      this.verdict = v;
      if (v.k === 'verified' || v.k === 'cut')
        return this.done({ k: v.k, ...(v.k === 'cut' ? { by: v.by } : {}) } as Outcome);
      this.phase = 'shortest';
      const target: Target =
        v.k === 'violation'
          ? { k: 'violation', prefer: this.preferred(v.violations) }
          : { k: 'deadlock' };
      // The search reached it in v.depth atomic steps: no trace needs more commands.
      this.gen = shortest(
        this.model,
        this.model.copy(this.start),
        target,
        v.depth,
        this.opts.reductions,
        this.renamings,
      );
    }
    if (this.phase === 'shortest' && this.gen) {
      for (;;) {
        if (this.interrupted) return this.done({ k: 'cut', by: 'interrupt' });
        const r = this.gen.next();
        if (r.done) return this.shortestDone(r.value);
        this.shortestStates = r.value;
        if (performance.now() > until) return null;
      }
    }
    return this.result;
  }

  /** Run to the end (tests, bench). */
  runAll(): ExploreResult {
    for (;;) {
      const r = this.run(1000);
      if (r) return r;
    }
  }

  /** The invariants a fault under test must trip: a violation naming one is preferred. */
  private preferred(found: readonly Violation[]): string[] {
    const trips = this.faults.flatMap((f) => {
      const t = faultInfo(f)?.trips;
      return t ? [t] : [];
    });
    return trips.length > 0 ? trips : found.map((v) => v.invariant);
  }

  private shortestDone(r: ShortestResult | null): ExploreResult {
    const v = this.verdict;
    if (!r || !v || (v.k !== 'violation' && v.k !== 'deadlock'))
      throw new ExploreError(
        'explore: the shortest-trace search found nothing within the depth the verifying search found a violation at (a bug in explore)',
      );
    const steps = commandSteps(this.model, this.start, r.commands);
    return this.finishWith(steps, v.depth, r, r.deadlock);
  }

  private finishWith(
    steps: readonly TraceStep[],
    atomicDepth: number,
    r: { states: number; ms: number },
    deadlock: string | null,
  ): ExploreResult {
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
      {
        invariants,
        step: steps.length - 1,
        ...(deadlock !== null ? { deadlock } : {}),
      },
      description,
    );
    const found: Counterexample = {
      trace,
      steps,
      violations,
      deadlock,
      commands,
      atomicDepth,
      shortestStates: r.states,
      shortestMs: r.ms,
    };
    return this.done(deadlock !== null ? { k: 'deadlock', found } : { k: 'violation', found });
  }

  private done(outcome: Outcome): ExploreResult {
    this.phase = 'done';
    const now = performance.now();
    this.result = {
      outcome,
      stats: { ...this.search.stats },
      searchMs:
        this.search.stats.ms +
        (outcome.k === 'violation' || outcome.k === 'deadlock' ? outcome.found.shortestMs : 0),
      totalMs: now - this.t0,
      renamings: this.renamings.length,
    };
    return this.result;
  }
}
