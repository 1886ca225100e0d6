import type { Invariant } from './types.js';

export const frameNoLeak: Invariant = {
  name: 'Frame.NoLeak',
  statement: 'no read returns content written by another object (provenance, not value)',
  check({ obs }) {
    for (const o of obs) {
      if (o.k !== 'read' || o.data === null) continue;
      // Garbage left by a VRAM loss is nobody's data either, unless the page's loss was reported.
      if (o.data.o !== o.uid && !(o.data.o < 0 && o.value === 'lost')) {
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
