/**
 * What an operation is: validated arguments become a process (plain data with a program
 * counter). Each step is *planned* purely: the plan is either the wait that keeps it from
 * running, or the action that performs it (one atomic step). Planning never changes the world,
 * so the checker can ask every pending process what it waits for after every step.
 */
import type { Errno } from '../world/errno.js';
import type { OpResult, OpValue, Proc, Wait, World } from '../world/types.js';

export type Outcome =
  | { readonly k: 'progress' }
  | { readonly k: 'done'; readonly result: OpResult };

export type Action = () => Outcome;

export type Plan = Wait | Action;

export const PROGRESS: Outcome = { k: 'progress' };

export function done(value?: OpValue): Outcome {
  return { k: 'done', result: value === undefined ? { ok: true } : { ok: true, value } };
}

export function failed(error: Errno): Outcome {
  return { k: 'done', result: { ok: false, error } };
}

/** A plan that fails the op at once (nothing changed). */
export function failNow(error: Errno): Action {
  return () => failed(error);
}

/** A kernel step (a wait, or an action that only makes progress) as an op's plan. */
export function asPlan(step: Wait | (() => 'progress')): Plan {
  if (typeof step !== 'function') return step;
  return () => {
    step();
    return PROGRESS;
  };
}

export function isWait(p: Plan): p is Wait {
  return typeof p !== 'function';
}

export interface Started<S> {
  readonly st: S;
  readonly pc: string;
}

export interface OpDef<S = unknown> {
  readonly name: string;
  /** The contract's phases, in order. */
  readonly phases: readonly string[];
  /** The phases of this particular process, when they depend on its arguments. */
  phasesOf?(p: Proc & { st: S }): readonly string[];
  /** Validate arguments against the world: an errno fails the op and changes nothing. */
  start(w: World, args: Readonly<Record<string, unknown>>, pid: number): Started<S> | Errno;
  /** The phase the next step belongs to. */
  phaseOf(w: World, p: Proc & { st: S }): string;
  plan(w: World, p: Proc & { st: S }): Plan;
}

/** Erase the state type so ops of different states share one registry. */
export function defineOp<S>(def: OpDef<S>): OpDef {
  return def as unknown as OpDef;
}
