import { backingFrame } from './backing.js';
import type { Invariant } from './types.js';

export const mapNoStalePfn: Invariant = {
  name: 'Map.NoStalePfn',
  statement: 'every live device-page-table entry points at the frame that currently backs its page',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      for (let page = 0; page < io.pt.length; page++) {
        const e = io.pt[page];
        if (!e) continue;
        const b = backingFrame(w, io.obj, page);
        const fr = w.frames[e.f];
        if (b !== e.f || !fr || fr.tag !== e.tag || fr.state === 'free') {
          return {
            message: `${importer} maps ${io.obj}[${page}] to frame ${e.f}${fr && fr.tag !== e.tag ? ' (since reallocated)' : ''}, but the page is backed by ${b ?? 'no frame'}`,
            frames: b === null ? [e.f] : [e.f, b],
            objs: [io.obj],
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
