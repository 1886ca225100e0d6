/**
 * One generated run: decode choices into enabled commands, one atomic step each, checking after
 * every step. The decoded commands are a trace the replayer re-executes identically.
 */
import type { Config } from '../../src/world/config.js';
import { decode, type GenCtx } from '../gen/commands.js';
import { familyOn, type Profile } from '../gen/profile.js';
import { Session, type Violation } from '../session.js';
import { TraceRunner } from '../trace/runner.js';
import type { TraceStep } from '../trace/types.js';
import { addShapes } from './shapes.js';

export interface RunOutcome {
  readonly steps: readonly TraceStep[];
  readonly violations: readonly Violation[] | null;
  /** Index in steps of the step that violated. */
  readonly failStep: number | null;
  readonly atomicSteps: number;
  /** How many choices the run used (the rest were not reached). */
  readonly used: number;
  /**
   * What the run did that a coverage-guided search counts: each operation with its outcome, each
   * pair of consecutive transitions of one specification instance (as fuzzers count edges), and
   * the shape of every page after every step (shapes.ts).
   */
  readonly features: ReadonlySet<number>;
}

/**
 * Outcome numbers, given once per process (negative: below every transition pair), by op, then by
 * what the command came to: ok, an errno, or the phase it is pending or blocked in.
 */
const OUTCOMES = new Map<string, Map<string, number>>();
let outcomes = 0;

function outcome(op: string, result: Readonly<Record<string, unknown>>): number {
  const sub =
    'pending' in result || 'blocked' in result
      ? `${'blocked' in result ? 'b' : 'p'}:${String(result.phase)}`
      : result.ok === false
        ? String(result.error)
        : 'ok';
  let byResult = OUTCOMES.get(op);
  if (byResult === undefined) {
    byResult = new Map();
    OUTCOMES.set(op, byResult);
  }
  let n = byResult.get(sub);
  if (n === undefined) {
    outcomes += 1;
    n = -outcomes;
    byResult.set(sub, n);
  }
  return n;
}

const DEVICE_OPS = new Set(['dev.hang', 'dev.reset', 'dev.suspend', 'dev.resume', 'dev.unplug']);

export function runChoices(
  config: Config,
  faults: readonly string[],
  profile: Profile,
  choices: readonly number[],
): RunOutcome {
  const session = new Session(config, faults);
  const runner = new TraceRunner(session);
  const ctx: GenCtx = {
    w: session.w,
    profile,
    bo: familyOn(profile, 'dmabuf') || familyOn(profile, 'share') || familyOn(profile, 'vma'),
    runnable: [],
    pending: 0,
    deviceEvents: 0,
    value: 0,
    label: 0,
  };
  const features = new Set<number>();
  // The transition each instance took last: a pair (last, this) is one feature.
  const last = new Map<string, number>();
  session.product.onTake = (instance, t) => {
    const prev = last.get(instance) ?? PAIR - 1;
    last.set(instance, t);
    features.add(prev * PAIR + t);
  };
  try {
    return decodeAndRun(session, runner, ctx, choices, features);
  } finally {
    session.product.onTake = null;
  }
}

/** Transition ids below this make distinct pair numbers (prev × PAIR + this). */
const PAIR = 2 ** 20;

function decodeAndRun(
  session: Session,
  runner: TraceRunner,
  ctx: GenCtx,
  choices: readonly number[],
  features: Set<number>,
): RunOutcome {
  const steps: TraceStep[] = [];
  let used = 0;
  for (const choice of choices) {
    used += 1;
    const runnable: string[] = [];
    for (const p of session.w.procs) if (!session.waits.has(p.pid)) runnable.push(p.label);
    ctx.runnable = runnable;
    ctx.pending = session.w.procs.length;
    const step = decode(choice, ctx);
    if (!step) break;
    if (DEVICE_OPS.has(step.op)) ctx.deviceEvents += 1;
    const index = steps.length;
    const out = runner.exec(step, index);
    features.add(outcome(step.op === 'step' ? 'step' : step.op, out.result));
    addShapes(session.w, features);
    const completed =
      step.start !== undefined && !('pending' in out.result) && !('blocked' in out.result);
    steps.push(completed ? { op: step.op, args: step.args } : step);
    if (session.violations) {
      return {
        steps,
        violations: session.violations,
        failStep: index,
        atomicSteps: session.atomicSteps,
        used,
        features,
      };
    }
  }
  return {
    steps,
    violations: null,
    failStep: null,
    atomicSteps: session.atomicSteps,
    used,
    features,
  };
}
