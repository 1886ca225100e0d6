/**
 * Executes trace steps against a session, with the contract's scheduling semantics:
 *   - an op without `start` runs its process until it completes or blocks (then it stays
 *     pending under `#<index>`);
 *   - an op with `start` runs exactly one atomic step and stays pending under the label;
 *   - step / run / finish drive a pending process.
 * Execution stops at the first atomic step that violates an invariant.
 */
import { findProc, phaseOf, phasesOf, type StepReport } from '../../src/exec/kernel.js';
import type { Proc } from '../../src/world/types.js';
import type { Session } from '../session.js';
import type { TraceStep } from './types.js';

export type StepResult =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly error: string }
  | { readonly pending: true; readonly phase: string }
  | { readonly blocked: true; readonly phase: string };

export interface StepOutcome {
  readonly result: StepResult;
  /** The label of the process this step created or drove. */
  readonly label: string | null;
  readonly phase: string | null;
}

/** Bound on atomic steps a single run/finish may take (a livelock guard). */
export const MAX_RUN = 1000;

function doneResult(r: { ok: true; value?: unknown } | { ok: false; error: string }): StepResult {
  return r.ok
    ? r.value === undefined
      ? { ok: true }
      : { ok: true, value: r.value }
    : { ok: false, error: r.error };
}

export class TraceRunner {
  constructor(readonly session: Session) {}

  private get violated(): boolean {
    return this.session.violations !== null;
  }

  exec(step: TraceStep, index: number): StepOutcome {
    if (step.op === 'step' || step.op === 'run' || step.op === 'finish') return this.schedule(step);
    const label = step.start ?? `#${index}`;
    const spawned = this.session.spawn(step.op, step.args, label);
    if ('result' in spawned)
      return { result: doneResult(spawned.result), label: null, phase: null };
    const p = spawned.proc;
    const out = step.start !== undefined ? this.once(p) : this.toEnd(p);
    // An operation that completed without a label leaves no process to name.
    const named = step.start !== undefined || 'pending' in out.result || 'blocked' in out.result;
    return { ...out, label: named ? label : null };
  }

  private schedule(step: TraceStep): StepOutcome {
    const label = typeof step.args.proc === 'string' ? step.args.proc : '';
    const p = findProc(this.session.w, label);
    if (!p) return { result: { ok: false, error: 'EINVAL' }, label, phase: null };
    if (step.op === 'step') return { ...this.once(p), label };
    if (step.op === 'finish') return { ...this.toEnd(p), label };
    const until = typeof step.args.until === 'string' ? step.args.until : '';
    return { ...this.until(p, until), label };
  }

  /** One atomic step (unless blocked). */
  private once(p: Proc): Omit<StepOutcome, 'label'> {
    return this.outcomeOf(p, this.session.step(p));
  }

  private outcomeOf(p: Proc, r: StepReport): Omit<StepOutcome, 'label'> {
    if (r.kind === 'done') return { result: doneResult(r.result), phase: null };
    if (r.kind === 'oops') return { result: { ok: false, error: 'EOOPS' }, phase: null };
    const phase = phaseOf(this.session.w, p);
    return r.kind === 'blocked'
      ? { result: { blocked: true, phase }, phase }
      : { result: { pending: true, phase }, phase };
  }

  private toEnd(p: Proc): Omit<StepOutcome, 'label'> {
    for (let i = 0; i < MAX_RUN; i++) {
      // Only the last step's outcome is reported: a step that leaves the process runnable is
      // taken without asking for its phase.
      const r = this.session.step(p);
      if (r.kind === 'progress' && !this.violated) continue;
      return this.outcomeOf(p, r);
    }
    const phase = phaseOf(this.session.w, p);
    return { result: { pending: true, phase }, phase };
  }

  private until(p: Proc, until: string): Omit<StepOutcome, 'label'> {
    const phases = phasesOf(p);
    const target = phases.indexOf(until);
    if (target < 0) return { result: { ok: false, error: 'EINVAL' }, phase: null };
    for (let i = 0; i < MAX_RUN; i++) {
      const phase = phaseOf(this.session.w, p);
      if (phase === until) return { result: { pending: true, phase }, phase };
      if (phases.indexOf(phase) > target) {
        return i === 0
          ? { result: { ok: false, error: 'EINVAL' }, phase }
          : { result: { pending: true, phase }, phase };
      }
      const out = this.once(p);
      if (!('pending' in out.result) || this.violated) return out;
    }
    const phase = phaseOf(this.session.w, p);
    return { result: { pending: true, phase }, phase };
  }
}

/** `expect` is a partial match: every key it names must equal the result's. */
export function matches(result: StepResult, expect: Readonly<Record<string, unknown>>): boolean {
  const r = result as Readonly<Record<string, unknown>>;
  return Object.entries(expect).every(([k, v]) => deepEqual(r[k], v));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
