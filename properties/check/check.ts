/**
 * The property: generated interleavings (swarm profile + choice integers) never violate an
 * invariant. A search is a space of runs (lane.ts), made in one lane here or in several worker
 * threads (parallel.ts); the failing run with the smallest global index is shrunk on the decoded
 * trace while the same invariant still fails.
 */
import { type Config, configToInput } from '../../src/world/config.js';
import { faultInfo } from '../../src/world/faults.js';
import { Session, type Violation } from '../session.js';
import { TraceRunner } from '../trace/runner.js';
import type { Trace, TraceStep } from '../trace/types.js';
import { TRACE_FORMAT } from '../trace/types.js';
import { VERSION } from '../version.js';
import { type LaneFailure, type LaneSpec, runLane, type SearchParams } from './lane.js';
import { runChoices } from './run.js';
import { shrinkTrace } from './shrink.js';

export interface CheckOptions {
  readonly config: Config;
  readonly faults: readonly string[];
  /** Runs per seed. */
  readonly runs: number;
  readonly maxSteps: number;
  /** The first seed; with `seeds`, the search covers seed … seed + seeds - 1. */
  readonly seed: number;
  readonly seeds?: number;
  /** Device events (hang, reset, suspend, resume, unplug) per run at most. */
  readonly deviceEvents: number;
  /**
   * Operation families to focus on (`--focus`): three runs in four switch on only those. Empty:
   * no hint — the search knows nothing of the faults under test.
   */
  readonly focus?: readonly string[];
  /** The i-th (0-based) of n contiguous slices of the search (`--shard i/n`, 1-based there). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Lanes the shard is split into (worker threads in checkParallel; one here). */
  readonly workers?: number;
  /** Called after every run (progress output). */
  readonly onRun?: (runs: number, atomicSteps: number) => void;
  /** Called when shrinking starts, with the length of the trace to shrink. */
  readonly onShrink?: (steps: number) => void;
  /** Start no new run once this many milliseconds have passed; shrinking still completes. */
  readonly timeBudgetMs?: number;
  /** Gather the specification transitions the runs took in defaultProduct() (--coverage). */
  readonly coverage?: boolean;
}

export interface CheckFailure {
  readonly trace: Trace;
  readonly violations: readonly Violation[];
  /** Runs until the first failure was found, and how long that took. */
  readonly runs: number;
  readonly msToDetect: number;
  /** Length of the counterexample before the last shrinking pass. */
  readonly unshrunkSteps: number;
}

export interface CheckResult {
  readonly runs: number;
  readonly atomicSteps: number;
  readonly failure: CheckFailure | null;
  /** Whether the time budget stopped the search before `runs` runs. */
  readonly outOfTime: boolean;
}

/** The invariant a shrink must keep failing: the faults' catalogue invariant if seen, else the first. */
export function pickTarget(violations: readonly Violation[], faults: readonly string[]): string {
  const names = violations.map((v) => v.invariant);
  for (const f of faults) {
    const trips = faultInfo(f)?.trips;
    if (trips && names.includes(trips)) return trips;
  }
  return names.find((n) => n !== 'Spec.Conforms') ?? names[0] ?? 'Spec.Conforms';
}

/** The search's parameters and the runs a shard covers. */
export function searchOf(opts: CheckOptions): {
  params: SearchParams;
  seeds: number[];
  from: number;
  to: number;
} {
  const seeds = Array.from({ length: opts.seeds ?? 1 }, (_, k) => opts.seed + k);
  const total = seeds.length * opts.runs;
  const shard = opts.shard ?? { index: 0, count: 1 };
  const from = Math.floor((shard.index * total) / shard.count);
  const to = Math.floor(((shard.index + 1) * total) / shard.count);
  const params: SearchParams = {
    config: opts.config,
    faults: opts.faults,
    maxSteps: opts.maxSteps,
    deviceEvents: opts.deviceEvents,
    focus: opts.focus ?? [],
  };
  return { params, seeds, from, to };
}

/** The search in this thread, its lanes made one after the other. */
export function check(opts: CheckOptions): CheckResult {
  const { params, seeds, from, to } = searchOf(opts);
  const lanes = Math.max(1, opts.workers ?? 1);
  const deadline =
    opts.timeBudgetMs === undefined ? Infinity : performance.now() + opts.timeBudgetMs;
  let stopAt = Number.POSITIVE_INFINITY;
  let runs = 0;
  let atomicSteps = 0;
  let outOfTime = false;
  let failure: LaneFailure | null = null;
  for (let lane = 0; lane < lanes; lane++) {
    const spec: LaneSpec = { seeds, runs: opts.runs, from, to, lane, lanes };
    const before = { runs, atomicSteps };
    const r = runLane(params, spec, {
      stopAt: () => stopAt,
      failed: (g) => {
        stopAt = Math.min(stopAt, g);
      },
      deadline,
      onRun: (n, steps) => opts.onRun?.(before.runs + n, before.atomicSteps + steps),
    });
    runs += r.runs;
    atomicSteps += r.atomicSteps;
    outOfTime ||= r.outOfTime;
    if (r.failure && (failure === null || r.failure.g < failure.g)) failure = r.failure;
  }
  return conclude(opts, { runs, atomicSteps, outOfTime, failure, from });
}

/** What the lanes found, shrunk and written up. */
export function conclude(
  opts: CheckOptions,
  r: {
    runs: number;
    atomicSteps: number;
    outOfTime: boolean;
    failure: LaneFailure | null;
    from: number;
  },
): CheckResult {
  const f = r.failure;
  if (f === null)
    return { runs: r.runs, atomicSteps: r.atomicSteps, failure: null, outOfTime: r.outOfTime };
  const target = pickTarget(f.violations, opts.faults);
  const out = runChoices(opts.config, opts.faults, f.input.profile, f.input.choices);
  opts.onShrink?.(out.steps.length);
  const steps = shrinkTrace(opts.config, opts.faults, out.steps, target)?.steps ?? [...out.steps];
  // Runs to detect: the failing run's place in the shard (the same whatever the lanes).
  const nth = f.g - r.from + 1;
  return {
    runs: r.runs,
    atomicSteps: r.atomicSteps,
    failure: finalize(opts, steps, nth, f, out.steps.length),
    outOfTime: r.outOfTime,
  };
}

function finalize(
  opts: CheckOptions,
  steps: TraceStep[],
  runs: number,
  f: LaneFailure,
  unshrunkSteps: number,
): CheckFailure {
  const verdict = runTrace(opts, steps);
  const trace: Trace = {
    format: TRACE_FORMAT,
    config: configToInput(opts.config),
    ...(opts.faults.length > 0 ? { faults: [...opts.faults] } : {}),
    steps,
    // Everything that reproduces the search (`check --from FILE`) and what it found; no
    // timings, so the same search writes the same file.
    found: {
      version: VERSION,
      seed: opts.seed,
      runs: opts.runs,
      maxSteps: opts.maxSteps,
      deviceEvents: opts.deviceEvents,
      faults: [...opts.faults],
      focus: [...(opts.focus ?? [])],
      config: configToInput(opts.config),
      ...(opts.seeds !== undefined && opts.seeds > 1 ? { seeds: opts.seeds } : {}),
      ...(opts.shard ? { shard: `${opts.shard.index + 1}/${opts.shard.count}` } : {}),
      ...((opts.workers ?? 1) > 1 ? { workers: opts.workers } : {}),
      run: runs,
      failed: { seed: f.seed, run: f.run },
      invariants: verdict.violations.map((v) => v.invariant),
      step: verdict.failStep,
    },
  };
  return { trace, violations: verdict.violations, runs, msToDetect: f.msToDetect, unshrunkSteps };
}

function runTrace(
  opts: CheckOptions,
  steps: readonly TraceStep[],
): { violations: readonly Violation[]; failStep: number } {
  const session = new Session(opts.config, opts.faults);
  const runner = new TraceRunner(session);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (!s) continue;
    runner.exec(s, i);
    if (session.violations) return { violations: session.violations, failStep: i };
  }
  return { violations: [], failStep: steps.length - 1 };
}
