/**
 * The last shrinking pass, on the decoded trace: remove steps (a started process goes with every
 * scheduling step that names it) while the same invariant still fails at the first violation;
 * then make what is left readable (processes run to completion where they need not interleave,
 * runs of single steps folded into `finish`).
 */
import type { Config } from '../../src/world/config.js';
import { Session } from '../session.js';
import { TraceRunner } from '../trace/runner.js';
import { isScheduling, type TraceStep } from '../trace/types.js';

export interface ReplayVerdict {
  readonly invariants: readonly string[];
  readonly failStep: number;
}

/** Re-run a trace; the invariants violated at its first violating step, if any. */
export function replaySteps(
  config: Config,
  faults: readonly string[],
  steps: readonly TraceStep[],
): ReplayVerdict | null {
  const session = new Session(config, faults);
  const runner = new TraceRunner(session);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (!s) continue;
    runner.exec(s, i);
    if (session.violations)
      return { invariants: session.violations.map((v) => v.invariant), failStep: i };
  }
  return null;
}

function labelOf(s: TraceStep, index: number): string | null {
  if (isScheduling(s.op)) return null;
  return s.start ?? `#${index}`;
}

interface Kept {
  readonly s: TraceStep;
  /** Index in the trace before the edit (null for a step the edit made). */
  readonly old: number | null;
}

/** Renumber implicit `#n` labels after steps moved. */
function rebuild(kept: readonly Kept[]): TraceStep[] {
  const renumber = new Map<string, string>();
  kept.forEach(({ s, old }, k) => {
    if (old !== null && s.start === undefined && !isScheduling(s.op) && old !== k)
      renumber.set(`#${old}`, `#${k}`);
  });
  return kept.map(({ s }) => {
    const proc = s.args.proc;
    return typeof proc === 'string' && renumber.has(proc)
      ? { ...s, args: { ...s.args, proc: renumber.get(proc) } }
      : s;
  });
}

function schedules(s: TraceStep, label: string | null): boolean {
  return label !== null && isScheduling(s.op) && s.args.proc === label;
}

/** Remove step i and whatever refers to the process it started. */
export function withoutStep(steps: readonly TraceStep[], i: number): TraceStep[] | null {
  const gone = steps[i];
  if (!gone) return null;
  const label = labelOf(gone, i);
  const kept: Kept[] = [];
  steps.forEach((s, k) => {
    if (k !== i && !schedules(s, label)) kept.push({ s, old: k });
  });
  return rebuild(kept);
}

/** Let step i's process run to completion where it starts: drop its label and its scheduling. */
export function inlined(steps: readonly TraceStep[], i: number): TraceStep[] | null {
  const s = steps[i];
  if (!s || s.start === undefined) return null;
  const { start, ...plain } = s;
  const kept: Kept[] = [];
  steps.forEach((x, k) => {
    if (k === i) kept.push({ s: plain, old: k });
    else if (!schedules(x, start)) kept.push({ s: x, old: k });
  });
  return rebuild(kept);
}

/** Consecutive `step p` commands become one `finish p`. */
export function collapsed(steps: readonly TraceStep[], i: number): TraceStep[] | null {
  const s = steps[i];
  if (s?.op !== 'step') return null;
  let j = i;
  while (steps[j + 1]?.op === 'step' && steps[j + 1]?.args.proc === s.args.proc) j++;
  if (j === i) return null;
  const kept: Kept[] = [];
  steps.forEach((x, k) => {
    if (k === i) kept.push({ s: { op: 'finish', args: { proc: s.args.proc } }, old: null });
    else if (k < i || k > j) kept.push({ s: x, old: k });
  });
  return rebuild(kept);
}

type Edit = (steps: readonly TraceStep[], i: number) => TraceStep[] | null;

export function shrinkTrace(
  config: Config,
  faults: readonly string[],
  steps: readonly TraceStep[],
  target: string,
  budget = 4000,
): { steps: TraceStep[]; verdict: ReplayVerdict } | null {
  let verdict = replaySteps(config, faults, steps);
  if (!verdict?.invariants.includes(target)) return null;
  let best = steps.slice(0, verdict.failStep + 1);
  let tries = 0;
  const pass = (edit: Edit): boolean => {
    let improved = false;
    for (let i = best.length - 1; i >= 0 && tries < budget; i--) {
      const cand = edit(best, i);
      if (!cand) continue;
      tries += 1;
      const v = replaySteps(config, faults, cand);
      if (v?.invariants.includes(target)) {
        best = cand.slice(0, v.failStep + 1);
        verdict = v;
        improved = true;
        i = Math.min(i, best.length);
      }
    }
    return improved;
  };
  while (pass(withoutStep) && tries < budget) {}
  while (pass(inlined) && tries < budget) {}
  pass(collapsed);
  return { steps: best, verdict };
}
