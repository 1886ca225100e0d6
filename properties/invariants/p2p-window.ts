import { holderOf } from '../../src/kernel/p2p.js';
import type { Invariant } from './types.js';

export const p2pWindowNotReusedWhileMapped: Invariant = {
  name: 'P2p.WindowNotReusedWhileMapped',
  statement:
    "a BAR window page an importer's p2p map holds is never free or handed to another map until that importer's p2p_unmap; a peer reaches VRAM through a device VMA only by a window it holds",
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const m = io.vma;
      if (m && !m.pinned) {
        const bar = w.devices[m.device]?.bar ?? [];
        for (const slot of m.slots) {
          const h = bar[slot] ?? null;
          if (h !== holderOf(importer, io.obj)) {
            return {
              message: `${importer} still holds page ${slot} of ${m.device}'s BAR window for its map of ${io.obj}, but the window ${h === null ? 'is free again' : `was handed to ${h}`}`,
              objs: [io.obj],
              importers: [importer],
            };
          }
        }
      }
      // A map through a device VMA (no attachment): its VRAM frames are exposed by its windows.
      const o = w.objects[io.obj];
      if (o?.kind !== 'bo' || io.att) continue;
      for (let page = 0; page < io.pt.length; page++) {
        const e = io.pt[page];
        if (!e || w.frames[e.f]?.kind !== 'vram') continue;
        if (!m || m.pinned || !m.frames.includes(e.f)) {
          return {
            message: `${importer} maps bo ${io.obj}[${page}] in VRAM (frame ${e.f}) through no BAR window it holds`,
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
