/**
 * The property: generated interleavings (swarm profile + choice integers) never violate an
 * invariant. fast-check generates and shrinks the choices; a last pass shrinks the decoded trace
 * while the same invariant still fails.
 */
import fc from 'fast-check';
import { type Config, configToInput } from '../../src/world/config.js';
import { faultInfo } from '../../src/world/faults.js';
import { profileArb } from '../gen/profile.js';
import { defaultProduct, Session, type Violation } from '../session.js';
import { TraceRunner } from '../trace/runner.js';
import type { Trace, TraceStep } from '../trace/types.js';
import { TRACE_FORMAT } from '../trace/types.js';
import { VERSION } from '../version.js';
import { Corpus, type RunInput } from './corpus.js';
import { runChoices } from './run.js';
import { shrinkTrace } from './shrink.js';

export interface CheckOptions {
  readonly config: Config;
  readonly faults: readonly string[];
  readonly runs: number;
  readonly maxSteps: number;
  readonly seed: number;
  /** Device events (hang, reset, suspend, resume, unplug) per run at most. */
  readonly deviceEvents: number;
  /**
   * Operation families to focus on (`--focus`): three runs in four switch on only those. Empty:
   * no hint — the search knows nothing of the faults under test.
   */
  readonly focus?: readonly string[];
  /** Called after every run (progress output). */
  readonly onRun?: (runs: number, atomicSteps: number) => void;
  /** Called when shrinking starts, with the length of the trace to shrink. */
  readonly onShrink?: (steps: number) => void;
  /** Start no new run once this many milliseconds have passed; shrinking still completes. */
  readonly timeBudgetMs?: number;
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

export function check(opts: CheckOptions): CheckResult {
  const { config, faults, maxSteps } = opts;
  let runs = 0;
  let atomicSteps = 0;
  let firstFailRuns = 0;
  let target: string | null = null;
  let shrinking = false;
  let outOfTime = false;
  const t0 = performance.now();
  const deadline = opts.timeBudgetMs === undefined ? Infinity : t0 + opts.timeBudgetMs;
  let msToDetect = 0;
  const corpus = new Corpus(defaultProduct(), maxSteps);
  let failing: RunInput | null = null;
  const arb = fc.record({
    profile: profileArb(config, opts.deviceEvents, opts.focus ?? []),
    choices: fc.array(fc.nat(), { maxLength: maxSteps, size: 'max' }),
    pick: fc.nat(),
    cut: fc.nat(),
  });
  const prop = fc.property(arb, (draw) => {
    if (!shrinking && performance.now() >= deadline) {
      // Stops fast-check's loop without a failure (details.interrupted).
      outOfTime = true;
      throw new fc.PreconditionFailure(true);
    }
    const run = shrinking ? draw : corpus.derive(draw, draw.pick, draw.cut);
    const out = runChoices(config, faults, run.profile, run.choices);
    if (!shrinking) corpus.note(run, out);
    if (!shrinking) {
      runs += 1;
      atomicSteps += out.atomicSteps;
      opts.onRun?.(runs, atomicSteps);
    }
    if (!out.violations) return true;
    if (target === null) {
      target = pickTarget(out.violations, faults);
      firstFailRuns = runs;
      msToDetect = performance.now() - t0;
      shrinking = true;
      failing = run;
    }
    return !out.violations.some((v) => v.invariant === target);
  });
  const details = fc.check(prop, { seed: opts.seed, numRuns: opts.runs, endOnFailure: true });
  const found = failing as RunInput | null;
  if (!details.failed || found === null || target === null)
    return { runs, atomicSteps, failure: null, outOfTime };
  const out = runChoices(config, faults, found.profile, found.choices);
  opts.onShrink?.(out.steps.length);
  const steps = shrinkTrace(config, faults, out.steps, target)?.steps ?? [...out.steps];
  return {
    runs,
    atomicSteps,
    failure: finalize(opts, steps, firstFailRuns, msToDetect, out.steps.length),
    outOfTime,
  };
}

function finalize(
  opts: CheckOptions,
  steps: TraceStep[],
  runs: number,
  msToDetect: number,
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
      run: runs,
      invariants: verdict.violations.map((v) => v.invariant),
      step: verdict.failStep,
    },
  };
  return { trace, violations: verdict.violations, runs, msToDetect, unshrunkSteps };
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
