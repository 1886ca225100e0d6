/**
 * Writing what explore found as a devmem-trace/1 file: the scope's setup, then one trace step per
 * command. A thread's operation started for one atomic step carries the thread's label (its name,
 * or `name.k` for the k-th operation of a longer thread); one started without a label that
 * blocks is pending as `#n`, as the contract says.
 */
import { configToInput } from '../../src/world/config.js';
import { Session, type Violation } from '../session.js';
import { TraceRunner } from '../trace/runner.js';
import { TRACE_FORMAT, type Trace, type TraceStep } from '../trace/types.js';
import { VERSION } from '../version.js';
import type { ExState, Model } from './model.js';
import type { Command } from './shortest.js';

/** The `found` block of an explore counterexample (replay ignores it). */
export interface ExploreFound {
  readonly version: string;
  readonly scope: string;
  readonly invariants: readonly string[];
  readonly step: number;
  readonly faults?: readonly string[];
  readonly deadlock?: string;
}

export function commandSteps(
  model: Model,
  start: ExState,
  commands: readonly Command[],
): TraceStep[] {
  const setup = model.scope.setup;
  const labels = new Map<number, string>();
  for (const p of start.w.procs) labels.set(p.pid, p.label);
  const started = model.scope.threads.map(() => 0);
  const steps: TraceStep[] = [...setup];
  for (const c of commands) {
    const index = steps.length;
    if (c.k === 'start') {
      const k = started[c.t] ?? 0;
      started[c.t] = k + 1;
      const op = model.scope.threads[c.t]?.ops[k];
      if (!op) throw new Error(`thread ${c.t} has no operation ${k}`);
      const pid = model.pidOf(c.t, k);
      if (c.labelled) {
        const label = model.labelOf(c.t, k);
        labels.set(pid, label);
        steps.push({ op: op.op, args: op.args, start: label });
      } else {
        labels.set(pid, `#${index}`);
        steps.push({ op: op.op, args: op.args });
      }
      continue;
    }
    const proc = labels.get(c.pid);
    if (proc === undefined) throw new Error(`no label for pid ${c.pid}`);
    if (c.k === 'run') steps.push({ op: 'run', args: { proc, until: c.until } });
    else steps.push({ op: c.k, args: { proc } });
  }
  return steps;
}

/** Re-run a trace from scratch: the invariants violated at its first violating step. */
export function replayFound(
  model: Model,
  faults: readonly string[],
  steps: readonly TraceStep[],
): { violations: readonly Violation[]; step: number } | null {
  const session = new Session(model.scope.config, faults);
  const runner = new TraceRunner(session);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (!s) continue;
    runner.exec(s, i);
    if (session.violations) return { violations: session.violations, step: i };
  }
  return null;
}

export function exploreTrace(
  model: Model,
  scopeFile: string,
  faults: readonly string[],
  steps: readonly TraceStep[],
  found: Omit<ExploreFound, 'version' | 'scope' | 'faults'>,
  description: string,
): Trace {
  const trace = {
    format: TRACE_FORMAT,
    description,
    config: configToInput(model.scope.config),
    ...(faults.length > 0 ? { faults: [...faults] } : {}),
    steps,
    found: {
      version: VERSION,
      scope: scopeFile,
      ...found,
      ...(faults.length > 0 ? { faults: [...faults] } : {}),
    } satisfies ExploreFound,
  };
  return trace as unknown as Trace;
}
