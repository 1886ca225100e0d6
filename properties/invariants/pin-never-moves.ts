import { backingFrame } from './backing.js';
import type { Invariant } from './types.js';

export const pinNeverMoves: Invariant = {
  name: 'Pin.NeverMoves',
  statement:
    'while a pin is held, the frame it pinned backs that page and holds its data (unless the memory itself went away with its device: the page is poisoned; or the process let the page go or copied it since)',
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
        if (o?.kind === 'anon') {
          const pg = o.page[page];
          // Memory that went away with its device (a poisoned page) did not move: it is gone.
          if (pg?.pte.t === 'poison') continue;
          // The process let the page go (munmap, MADV_DONTNEED) or took a copy of it (COW):
          // the pinned frame did not move; whether the process still sees it is
          // Pin.CoherentWithOwner's question.
          if (pg && (pg.drops !== pin.drops[k] || pg.cows !== pin.cows[k])) continue;
        }
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
