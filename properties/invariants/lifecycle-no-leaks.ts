import type { World } from '../../src/world/types.js';
import { importerObjs } from './backing.js';
import type { Invariant } from './types.js';

/** Frames something still points at: PTEs, bos, pins, pending processes, DMA. */
function referenced(w: World): Set<number> {
  const s = new Set<number>();
  for (const o of Object.values(w.objects)) {
    if (o.kind === 'anon') {
      for (const pg of o.page) {
        if (pg.pte.t === 'present' || pg.pte.t === 'devpriv' || pg.pte.t === 'migration')
          s.add(pg.pte.f);
      }
    } else {
      for (const f of o.frames) s.add(f);
    }
  }
  for (const { io } of importerObjs(w)) for (const f of io.pin?.frames ?? []) s.add(f);
  for (const p of w.procs) for (const f of p.holds) s.add(f);
  for (const d of w.dma) s.add(d.f);
  return s;
}

export const lifecycleNoLeaks: Invariant = {
  name: 'Lifecycle.NoLeaks',
  statement:
    'once an object is destroyed and every attachment and pin is gone, all its frames are free',
  check({ w }) {
    const refs = referenced(w);
    for (let f = 0; f < w.frames.length; f++) {
      const fr = w.frames[f];
      if (!fr || (fr.state !== 'used' && fr.state !== 'garbage')) continue;
      if (!refs.has(f)) {
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
