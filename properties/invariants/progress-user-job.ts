import type { Invariant } from './types.js';

export const progressInvalidationNeverWaitsOnUserJob: Invariant = {
  name: 'Progress.InvalidationNeverWaitsOnUserJob',
  statement:
    'no invalidation waits on a fence that only a user action can signal (compute jobs are preempted, not waited for)',
  check({ w, waits }) {
    for (const pid of waits.keys()) {
      const wait = waits.get(pid);
      if (wait?.on === 'job' && wait.user) {
        const p = w.procs.find((x) => x.pid === pid);
        return {
          message: `${p?.label ?? pid} (${p?.op}) invalidates ${wait.obj} and waits for ${wait.importer}'s compute job, which only imp.complete ends`,
          importers: [wait.importer],
          objs: [wait.obj],
        };
      }
    }
    return null;
  },
};
