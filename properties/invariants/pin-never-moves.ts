import { backingFrame } from './backing.js';
import type { Invariant } from './types.js';

export const pinNeverMoves: Invariant = {
  name: 'Pin.NeverMoves',
  statement:
    'while a pin is held, the frame it pinned backs that page and holds its data (unless the memory itself went away with its device: the page is poisoned)',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const pin = io.pin;
      if (!pin) continue;
      const o = w.objects[io.obj];
      for (let k = 0; k < pin.pages.length; k++) {
        const f = pin.frames[k] ?? -1;
        const page = pin.pages[k] ?? -1;
        const fr = w.frames[f];
        if (!fr || fr.state === 'free') {
          return {
            message: `${importer}'s pin of ${io.obj}[${page}] points at free frame ${f}`,
            frames: [f],
            importers: [importer],
          };
        }
        // Memory that went away with its device (a poisoned page) did not move: it is gone.
        if (o?.kind === 'anon' && o.page[page]?.pte.t === 'poison') continue;
        if (o && !o.destroyed && backingFrame(w, io.obj, page) !== f) {
          return {
            message: `${importer} pinned frame ${f} for ${io.obj}[${page}], which is now backed by ${backingFrame(w, io.obj, page) ?? 'no frame'}`,
            frames: [f],
            objs: [io.obj],
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
