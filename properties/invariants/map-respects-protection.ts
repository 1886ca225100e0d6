import type { Invariant } from './types.js';

/**
 * mprotect reaches devices only through MMU_NOTIFY_PROTECTION_VMA: a mirror must drop (or
 * downgrade) its writable entries for the range, and a later device write must fault, which
 * fails with EPERM on a read-only VMA. Nor may a device write a page shared copy-on-write.
 */
export const mapRespectsProtection: Invariant = {
  name: 'Map.RespectsProtection',
  statement:
    'no device page-table entry lets a device write an anon page its process may not write (a read-only or unmapped range, or a page write-protected for copy-on-write)',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const o = w.objects[io.obj];
      if (o?.kind !== 'anon') continue;
      for (let page = 0; page < io.pt.length; page++) {
        const e = io.pt[page];
        if (!e?.write) continue;
        const pg = o.page[page];
        if (!pg) continue;
        if (pg.prot !== 'rw') {
          return {
            message: `${importer} may write ${io.obj}[${page}] (frame ${e.f}), but its range is ${pg.prot === 'r' ? 'read-only' : 'unmapped'}`,
            frames: [e.f],
            objs: [io.obj],
            importers: [importer],
          };
        }
        const fr = w.frames[e.f];
        if (fr && fr.maps > 1) {
          return {
            message: `${importer} may write ${io.obj}[${page}] through frame ${e.f}, which ${fr.maps} address spaces share copy-on-write`,
            frames: [e.f],
            objs: [io.obj],
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
