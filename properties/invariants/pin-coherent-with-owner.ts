import { mappedFrame } from '../../src/kernel/pages.js';
import { cachedBacking } from './backing.js';
import type { Invariant } from './types.js';

/**
 * The point of FOLL_LONGTERM and of a write pin: the device and the process share the page. After
 * fork, copy-on-write must never move the process off a pinned page (the early copy at fork,
 * 70e806e4e645; PageAnonExclusive, 5.19): only the process letting the page go (munmap,
 * MADV_DONTNEED) ends the sharing.
 */
/** The start of a finding: who pinned which frame for which page, and how. */
function pinned(importer: string, f: number, obj: string, page: number, longterm: boolean): string {
  return `${importer} pinned frame ${f} for ${obj}[${page}] (${longterm ? 'FOLL_LONGTERM' : 'FOLL_WRITE'})`;
}

export const pinCoherentWithOwner: Invariant = {
  name: 'Pin.CoherentWithOwner',
  statement:
    'while a FOLL_LONGTERM or write pin lasts, the frame it holds is the frame its process maps at that address, unless the process unmapped or dropped the page since, and no other process maps it (shmem aside)',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const pin = io.pin;
      if (!pin || !(pin.longterm || pin.write)) continue;
      const o = w.objects[io.obj];
      if (o?.kind !== 'anon') continue;
      for (let k = 0; k < pin.pages.length; k++) {
        const page = pin.pages[k] ?? -1;
        const pg = o.page[page];
        if (!pg || pg.drops !== pin.drops[k] || pg.pte.t === 'poison') continue;
        const f = pin.frames[k] ?? -1;
        // A shmem page dropped by MADV_DONTNEED: the next touch maps the page cache's frame.
        const mapped = mappedFrame(pg.pte) ?? cachedBacking(w, o, page);
        if (mapped !== f) {
          return {
            message: `${pinned(importer, f, io.obj, page, pin.longterm)}, but ${o.process} now maps ${mapped === null ? 'no frame' : `frame ${mapped}`} there`,
            frames: [f],
            objs: [io.obj],
            importers: [importer],
          };
        }
        // Nor may another process map it copy-on-write: DMA through the pin would reach that
        // process too (fork copies a maybe-pinned page for the child, page_needs_cow_for_dma).
        // A shmem page is shared by design.
        if (o.shared !== true && (w.frames[f]?.maps ?? 0) > 1) {
          return {
            message: `${pinned(importer, f, io.obj, page, pin.longterm)}, but another process maps it copy-on-write too`,
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
