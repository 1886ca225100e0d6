import type { Invariant } from './types.js';

export const lifecycleNoLeaks: Invariant = {
  name: 'Lifecycle.NoLeaks',
  statement:
    'once an object is destroyed and every attachment and pin is gone, all its frames are free',
  check({ w, refs }) {
    const owning = refs().owning;
    for (let f = 0; f < w.frames.length; f++) {
      const fr = w.frames[f];
      if (!fr || (fr.state !== 'used' && fr.state !== 'garbage')) continue;
      if (owning[f] !== 1) {
        const whose = fr.owner ? `${fr.owner.obj}[${fr.owner.page}]` : 'no owner';
        return {
          message: `frame ${f} (${whose}) is allocated but nothing points at it`,
          frames: [f],
        };
      }
      if (
        fr.owner &&
        !w.objects[fr.owner.obj] &&
        fr.pins === 0 &&
        !w.procs.some((p) => p.holds.includes(f))
      ) {
        return {
          message: `frame ${f} still belongs to released object ${fr.owner.obj}`,
          frames: [f],
        };
      }
    }
    return null;
  },
};
