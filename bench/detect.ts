/**
 * How fast each fault of the catalogue is found: with no hint (the default search, which knows
 * nothing of the fault) and with a focus on the fault's operation families (`--focus`, a user's
 * hint), side by side. Each search uses one worker thread per core and at most `budgetMs`; per
 * fault and mode: how many of the seeds found it, and the medians of runs, atomic steps and time
 * to detect and of the shrunk counterexample's length.
 */
import { availableParallelism } from 'node:os';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
} from '../properties/check/defaults.js';
import { checkParallel } from '../properties/check/parallel.js';
import type { FaultInfo } from '../src/world/faults.js';

export interface Detection {
  readonly found: number;
  readonly measured: number;
  readonly runs: number | null;
  readonly steps: number | null;
  readonly ms: number | null;
  readonly shrunk: number | null;
  /** Every search that found something named the fault's invariant. */
  readonly tripped: boolean;
}

export interface FaultRow {
  readonly fault: string;
  readonly trips: string;
  readonly noHint: Detection;
  readonly focus: Detection;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

async function detect(
  f: FaultInfo,
  focus: readonly string[],
  seeds: number,
  budgetMs: number,
  left: () => number,
): Promise<Detection> {
  const runs: number[] = [];
  const steps: number[] = [];
  const ms: number[] = [];
  const shrunk: number[] = [];
  let tripped = true;
  let measured = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    if (left() <= 0) break;
    measured += 1;
    const r = await checkParallel({
      config: DEFAULT_CONFIG,
      faults: [f.name],
      focus,
      runs: 1_000_000_000,
      maxSteps: DEFAULT_MAX_STEPS,
      seed,
      deviceEvents: DEFAULT_DEVICE_EVENTS,
      workers: availableParallelism(),
      timeBudgetMs: Math.min(budgetMs, left()),
    });
    if (!r.failure) continue;
    runs.push(r.failure.runs);
    steps.push(r.atomicSteps);
    ms.push(r.failure.msToDetect);
    shrunk.push(r.failure.trace.steps.length);
    if (!r.failure.violations.some((v) => v.invariant === f.trips)) tripped = false;
  }
  const m = median(ms);
  return {
    found: runs.length,
    measured,
    runs: median(runs),
    steps: median(steps),
    ms: m === null ? null : Math.round(m),
    shrunk: median(shrunk),
    tripped,
  };
}

export async function faultRow(
  f: FaultInfo,
  seeds: number,
  budgetMs: number,
  left: () => number,
): Promise<FaultRow> {
  return {
    fault: f.name,
    trips: f.trips,
    noHint: await detect(f, [], seeds, budgetMs, left),
    focus: await detect(f, f.families, seeds, budgetMs, left),
  };
}
