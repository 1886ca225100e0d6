import type { Invariant } from './types.js';

/**
 * The most unhindered steps an invalidation may take: its start, at most three per subscriber
 * (take the notifier lock, take the driver lock, the callback) and its end, with room to spare.
 * Nested invalidations (a direct reclaim inside a migration) are counted on their own.
 */
export function invalidationStepBound(importers: number): number {
  return 4 + 3 * importers;
}

export const progressInvalidationCompletes: Invariant = {
  name: 'Progress.InvalidationCompletes',
  statement:
    'once nothing blocks it, an invalidation completes within a bounded number of its own atomic steps (4 + 3 per importer): no livelock',
  check({ w, watch }) {
    const bound = invalidationStepBound(w.config.importers.length);
    for (const [id, steps] of watch.counts()) {
      if (steps <= bound) continue;
      const r = w.mm.ranges.find((x) => x.id === id);
      const p = w.procs.find((x) => x.pid === r?.by);
      return {
        message: `the invalidation of ${r?.obj ?? '?'} by ${p ? `${p.label} (${p.op}, pid ${p.pid})` : `pid ${r?.by}`} has taken ${steps} steps without being blocked and is not over (bound ${bound})`,
        ...(r ? { objs: [r.obj] } : {}),
      };
    }
    return null;
  },
};
