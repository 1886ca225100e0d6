/**
 * A search split into lanes made by worker threads (`check --workers n`): each thread makes
 * one lane (lane.ts) and shares with the others only the smallest failing run index found so far
 * (a SharedArrayBuffer), so no thread goes past it; the smallest failing run of all is the same
 * as one thread making the lanes one after the other would find, and is shrunk here.
 */
import { Worker } from 'node:worker_threads';
import { defaultProduct } from '../session.js';
import { type CheckOptions, type CheckResult, conclude, searchOf } from './check.js';
import type { LaneFailure, LaneResult, LaneSpec, SearchParams } from './lane.js';

export interface LaneJob {
  readonly params: SearchParams;
  readonly spec: LaneSpec;
  /** One BigInt64: the smallest failing global run index so far. */
  readonly stop: SharedArrayBuffer;
  /** Milliseconds left in the time budget (Infinity: none). */
  readonly budgetMs: number;
  /** Send back the specification transitions the lane took (for --coverage). */
  readonly coverage: boolean;
}

export type LaneMessage =
  | { readonly k: 'progress'; readonly runs: number; readonly atomicSteps: number }
  | { readonly k: 'done'; readonly result: LaneResult; readonly taken: readonly string[] };

/** The worker script: next to this file once built; from a source checkout, the built one. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/properties/check/worker.js', here)
    : new URL('./worker.js', here);
}

function runWorker(
  job: LaneJob,
  onProgress: (runs: number, steps: number) => void,
): Promise<LaneResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl(), { workerData: job });
    let result: LaneResult | null = null;
    worker.on('message', (m: LaneMessage) => {
      if (m.k === 'progress') onProgress(m.runs, m.atomicSteps);
      else {
        result = m.result;
        // Coverage is counted in the product of the thread that asks for it.
        const product = defaultProduct();
        for (const t of m.taken) product.taken.add(t);
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`check worker exited with code ${code} and no result`));
    });
  });
}

export async function checkParallel(opts: CheckOptions): Promise<CheckResult> {
  const lanes = Math.max(1, opts.workers ?? 1);
  const { params, seeds, from, to } = searchOf(opts);
  const stop = new SharedArrayBuffer(8);
  new BigInt64Array(stop)[0] = BigInt(Number.MAX_SAFE_INTEGER);
  const budgetMs = opts.timeBudgetMs ?? Number.POSITIVE_INFINITY;
  const progress = Array.from({ length: lanes }, () => ({ runs: 0, steps: 0 }));
  const report = () => {
    let runs = 0;
    let steps = 0;
    for (const p of progress) {
      runs += p.runs;
      steps += p.steps;
    }
    opts.onRun?.(runs, steps);
  };
  const results = await Promise.all(
    progress.map((slot, lane) =>
      runWorker(
        {
          params,
          spec: { seeds, runs: opts.runs, from, to, lane, lanes },
          stop,
          budgetMs,
          coverage: opts.coverage === true,
        },
        (runs, steps) => {
          slot.runs = runs;
          slot.steps = steps;
          report();
        },
      ),
    ),
  );
  let failure: LaneFailure | null = null;
  let runs = 0;
  let atomicSteps = 0;
  let outOfTime = false;
  for (const r of results) {
    runs += r.runs;
    atomicSteps += r.atomicSteps;
    outOfTime ||= r.outOfTime;
    if (r.failure && (failure === null || r.failure.g < failure.g)) failure = r.failure;
  }
  return conclude(opts, { runs, atomicSteps, outOfTime, failure, from });
}
