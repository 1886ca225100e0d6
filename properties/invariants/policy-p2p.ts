import type { ImporterConfig } from '../../src/world/config.js';
import type { BoObj, World } from '../../src/world/types.js';
import type { Invariant } from './types.js';

/** Why a VMA-path importer may not map the bo's VRAM, or null if it may. */
function vmaVramRefusal(w: World, ic: ImporterConfig | undefined, bo: BoObj): string | null {
  if (!ic?.p2p.includes(bo.device)) return `it does not reach ${bo.device} by peer-to-peer`;
  if (!bo.shared) return 'the bo is not shared';
  const policy = w.config.devices.find((d) => d.id === bo.device)?.driverPolicy;
  if (policy !== 'p2p') return `${bo.device}'s driver keeps peers in system memory`;
  return null;
}

export const policyP2pOnlyWhenAllowed: Invariant = {
  name: 'Policy.P2pOnlyWhenAllowed',
  statement:
    "a bo's VRAM frame is in a dmabuf importer's page table only if the attachment is p2p and the bo shared, in a device VMA's peer's only if it reaches the device, the bo is shared and the driver's policy lets peers into VRAM; a device-private anon page only in its own device's mirror",
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const o = w.objects[io.obj];
      if (!o) continue;
      const ic = w.config.importers.find((i) => i.id === importer);
      // A VRAM map p2p_map handed out through a device VMA, programmed or not yet.
      if (o.kind === 'bo' && io.vma?.vram && !io.vma.pinned) {
        const why = vmaVramRefusal(w, ic, o);
        if (why) {
          return {
            message: `${importer} holds a p2p map of bo ${io.obj} in VRAM through its device VMA though ${why}`,
            objs: [io.obj],
            importers: [importer],
          };
        }
      }
      for (let page = 0; page < io.pt.length; page++) {
        const e = io.pt[page];
        const fr = e ? w.frames[e.f] : undefined;
        if (!e || !fr || fr.kind !== 'vram') continue;
        if (o.kind === 'anon') {
          const mem = w.config.devices.find((d) => d.id === fr.device)?.memory;
          if (mem === 'private' && !(ic?.kind === 'mirror' && ic.device === fr.device)) {
            return {
              message: `${importer} maps ${io.obj}[${page}] in ${fr.device}'s private memory (frame ${e.f}), which only ${fr.device}'s own mirror may`,
              frames: [e.f],
              importers: [importer],
            };
          }
        } else if (!io.att) {
          // A peer through the bo's device VMA: the exporter's policy at p2p_map.
          const why = vmaVramRefusal(w, ic, o);
          if (why) {
            return {
              message: `${importer} maps bo ${io.obj}[${page}] in VRAM (frame ${e.f}) through its device VMA though ${why}`,
              frames: [e.f],
              objs: [io.obj],
              importers: [importer],
            };
          }
        } else if (!io.att.p2p || !o.shared) {
          return {
            message: `${importer} maps bo ${io.obj}[${page}] in VRAM (frame ${e.f}) though ${io.att?.p2p ? 'the bo is not shared' : 'the attachment is not peer-to-peer'}`,
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
