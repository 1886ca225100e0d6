/**
 * The simulated kernel's entry points: start an operation as a process, run one atomic step of
 * a process, and ask what a process waits for. One atomic step is a function of (world, process);
 * a step that throws is the simulated kernel's oops.
 */
import type { OpResult, Proc, Wait, World } from '../world/types.js';
import { isWait, type Plan } from './op.js';
import { opDef } from './registry.js';

export type StepReport =
  | { readonly kind: 'progress' }
  | { readonly kind: 'done'; readonly result: OpResult }
  | { readonly kind: 'blocked'; readonly wait: Wait }
  | { readonly kind: 'oops'; readonly message: string };

/** Start of an atomic step: forget what the previous one logged. */
export function beginStep(w: World): void {
  w.log.events.length = 0;
  w.log.obs.length = 0;
}

/** Validate an operation and create its process (not yet stepped). */
export function spawn(
  w: World,
  op: string,
  args: Readonly<Record<string, unknown>>,
  label: string,
): { readonly proc: Proc } | { readonly result: OpResult } {
  const def = opDef(op);
  if (!def) return { result: { ok: false, error: 'EINVAL' } };
  const pid = w.nextPid;
  const started = def.start(w, args, pid);
  if (typeof started === 'string') return { result: { ok: false, error: started } };
  w.nextPid += 1;
  const proc: Proc = {
    pid,
    label,
    op,
    args,
    pc: started.pc,
    wait: null,
    holds: [],
    st: started.st,
  };
  w.procs.push(proc);
  return { proc };
}

function planOf(w: World, p: Proc): Plan {
  const def = opDef(p.op);
  if (!def) return () => ({ k: 'done', result: { ok: false, error: 'EINVAL' } });
  return def.plan(w, p);
}

/** What the process's next step waits for, or null if it can run. Changes nothing. */
export function waitOf(w: World, p: Proc): Wait | null {
  const plan = planOf(w, p);
  return isWait(plan) ? plan : null;
}

export function phaseOf(w: World, p: Proc): string {
  return opDef(p.op)?.phaseOf(w, p) ?? '';
}

export function phasesOf(p: Proc): readonly string[] {
  const def = opDef(p.op);
  if (!def) return [];
  return def.phasesOf ? def.phasesOf(p) : def.phases;
}

/** Run one atomic step of the process. */
export function stepOnce(w: World, p: Proc): StepReport {
  try {
    const plan = planOf(w, p);
    if (isWait(plan)) {
      p.wait = plan;
      return { kind: 'blocked', wait: plan };
    }
    p.wait = null;
    const out = plan();
    if (out.k === 'progress') return { kind: 'progress' };
    w.procs = w.procs.filter((x) => x !== p);
    return { kind: 'done', result: out.result };
  } catch (e) {
    return { kind: 'oops', message: e instanceof Error ? e.message : String(e) };
  }
}

export function findProc(w: World, label: string): Proc | undefined {
  return w.procs.find((p) => p.label === label);
}
