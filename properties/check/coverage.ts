/**
 * Coverage of the specification: which of each machine's transitions the runs took.
 */
import { type TransitionInfo, transitionsOf } from '../../models/coverage.js';
import type { Product } from '../../models/product.js';
import { MACHINES } from '../../models/spec.js';

export interface MachineCoverage {
  readonly machine: string;
  readonly reached: number;
  readonly total: number;
  readonly unreached: readonly TransitionInfo[];
}

export interface Coverage {
  readonly machines: readonly MachineCoverage[];
  readonly reached: number;
  readonly total: number;
  /** Percentage, one decimal. */
  readonly percent: number;
}

export function coverage(product: Product): Coverage {
  const machines = MACHINES.map((m) => {
    const all = transitionsOf(m);
    const unreached = all.filter((t) => !product.taken.has(t.key));
    return { machine: m.id, reached: all.length - unreached.length, total: all.length, unreached };
  });
  const reached = machines.reduce((n, m) => n + m.reached, 0);
  const total = machines.reduce((n, m) => n + m.total, 0);
  return { machines, reached, total, percent: Math.round((reached / total) * 1000) / 10 };
}

export function transitionText(t: TransitionInfo): string {
  const guard = t.guards.length > 0 ? ` [${t.guards.join(' | ')}]` : '';
  return `${t.from} --${t.event}${guard}--> ${t.to}`;
}
