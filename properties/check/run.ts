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

export interface RunOutcome {
  readonly steps: readonly TraceStep[];
  readonly violations: readonly Violation[] | null;
  /** Index in steps of the step that violated. */
  readonly failStep: number | null;
  readonly atomicSteps: number;
  /** How many choices the run used (the rest were not reached). */
  readonly used: number;
  /** What the run did that a coverage-guided search counts: each operation with its outcome. */
  readonly features: ReadonlySet<string>;
}

function outcomeKey(op: string, result: Readonly<Record<string, unknown>>): string {
  if ('pending' in result || 'blocked' in result)
    return `${op}:${'blocked' in result ? 'b' : 'p'}:${String(result.phase)}`;
  return result.ok === false ? `${op}:${String(result.error)}` : `${op}:ok`;
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
  const steps: TraceStep[] = [];
  const ctx: GenCtx = {
    w: session.w,
    profile,
    bo: familyOn(profile, 'dmabuf') || familyOn(profile, 'share'),
    runnable: [],
    pending: 0,
    deviceEvents: 0,
    value: 0,
    label: 0,
  };
  const features = new Set<string>();
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
    features.add(outcomeKey(step.op === 'step' ? 'step' : step.op, out.result));
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
