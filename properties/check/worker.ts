/** A worker thread making one lane of a search (see parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultProduct } from '../session.js';
import { runLane } from './lane.js';
import type { LaneJob, LaneMessage } from './parallel.js';

const job = workerData as LaneJob;
const stop = new BigInt64Array(job.stop);
const deadline = performance.now() + job.budgetMs;
let last = 0;
const post = (m: LaneMessage) => parentPort?.postMessage(m);
const result = runLane(job.params, job.spec, {
  stopAt: () => Number(Atomics.load(stop, 0)),
  failed: (g) => {
    let cur = Atomics.load(stop, 0);
    while (BigInt(g) < cur) {
      const seen = Atomics.compareExchange(stop, 0, cur, BigInt(g));
      if (seen === cur) break;
      cur = seen;
    }
  },
  deadline,
  onRun: (runs, atomicSteps) => {
    const now = performance.now();
    if (now - last < 100) return;
    last = now;
    post({ k: 'progress', runs, atomicSteps });
  },
});
post({
  k: 'done',
  result,
  taken: job.coverage ? [...defaultProduct().taken] : [],
});
