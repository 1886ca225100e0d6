import type { Invariant } from './types.js';

export const frameNoLeak: Invariant = {
  name: 'Frame.NoLeak',
  statement: 'no read returns content written by another object (provenance, not value)',
  check({ obs }) {
    for (const o of obs) {
      if (o.k !== 'read' || o.data === null || o.data.o < 0) continue;
      if (o.data.o !== o.uid) {
        return {
          message: `${o.who} read ${o.obj}[${o.page}] from frame ${o.f} and got ${o.data.v}, written by another object (uid ${o.data.o}, page ${o.data.p})`,
          frames: [o.f],
          objs: [o.obj],
        };
      }
    }
    return null;
  },
};
