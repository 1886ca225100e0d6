import { poolOf, usedFrames } from '../../src/world/frames.js';
import type { Invariant } from './types.js';

export const lifecycleNoLeaks: Invariant = {
  name: 'Lifecycle.NoLeaks',
  statement:
    'once an object is destroyed and every attachment and pin is gone, all its frames are free',
  check({ w, index }) {
    const idx = index();
    let used = 0;
    for (const pool in w.pools) used += usedFrames(w, pool);
    // Every allocated frame has an owning reference iff as many distinct ones are referenced.
    if (idx.ownedUsed !== used) {
      for (let f = 0; f < w.frames.length; f++) {
        const fr = w.frames[f];
        if (!fr || poolOf(w, f) === null || (fr.state !== 'used' && fr.state !== 'garbage'))
          continue;
        if (!idx.owned(f)) {
          const whose = fr.owner ? `${fr.owner.obj}[${fr.owner.page}]` : 'no owner';
          return {
            message: `frame ${f} (${whose}) is allocated but nothing points at it`,
            frames: [f],
          };
        }
      }
    }
    // A frame of a released object that only in-flight DMA still reaches.
    for (const d of w.dma) {
      const fr = w.frames[d.f];
      if (!fr?.owner || w.objects[fr.owner.obj] || fr.pins !== 0) continue;
      if (w.procs.some((p) => p.holds.includes(d.f))) continue;
      return {
        message: `frame ${d.f} still belongs to released object ${fr.owner.obj}`,
        frames: [d.f],
      };
    }
    return null;
  },
};
