import type { Invariant } from './types.js';

/**
 * mprotect reaches devices only through MMU_NOTIFY_PROTECTION_VMA: a mirror must drop (or
 * downgrade) its writable entries for the range, and a later device write must fault, which
 * fails with EPERM on a read-only VMA. (A device entry writable where the CPU PTE is
 * write-protected for another reason, copy-on-write after fork, is a stale view: Map.NoStalePfn.)
 */
export const mapRespectsProtection: Invariant = {
  name: 'Map.RespectsProtection',
  statement:
    'no device page-table entry lets a device write an anon page whose range its process may not write (read-only after mprotect, or unmapped)',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const o = w.objects[io.obj];
      if (o?.kind !== 'anon') continue;
      for (let page = 0; page < io.pt.length; page++) {
        const e = io.pt[page];
        const pg = o.page[page];
        if (!e?.write || !pg || pg.prot === 'rw') continue;
        return {
          message: `${importer} may write ${io.obj}[${page}] (frame ${e.f}), but its range is ${pg.prot === 'r' ? 'read-only' : 'unmapped'}`,
          frames: [e.f],
          objs: [io.obj],
          importers: [importer],
        };
      }
    }
    return null;
  },
};
