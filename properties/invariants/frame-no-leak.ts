import type { Content, World } from '../../src/world/types.js';
import type { Invariant } from './types.js';

/**
 * Whether data belongs to the object with this uid: written to it, or — for an object fork
 * made — written to an ancestor before the fork.
 */
function belongs(w: World, uid: number, data: NonNullable<Content>): boolean {
  if (data.o === uid) return true;
  for (const a of w.lineage[uid] ?? []) if (a.uid === data.o && data.s < a.before) return true;
  return false;
}

export const frameNoLeak: Invariant = {
  name: 'Frame.NoLeak',
  statement:
    'no read returns content written by another object (provenance, not value; after fork, a child owns what its parent wrote before the fork)',
  check({ w, obs }) {
    for (const o of obs) {
      if (o.k !== 'read' || o.data === null) continue;
      // Garbage left by a VRAM loss is nobody's data either, unless the page's loss was reported.
      if (!belongs(w, o.uid, o.data) && !(o.data.o < 0 && o.value === 'lost')) {
        return {
          message: `${o.who} read ${o.obj}[${o.page}] from frame ${o.f} and got ${o.data.v}, written by another object (uid ${o.data.o}, page ${o.data.p}, write #${o.data.s})`,
          frames: [o.f],
          objs: [o.obj],
        };
      }
    }
    return null;
  },
};
