import type { Invariant } from './types.js';

export const policyP2pOnlyWhenAllowed: Invariant = {
  name: 'Policy.P2pOnlyWhenAllowed',
  statement:
    "a bo's VRAM frame is in a dmabuf importer's page table only if the attachment is p2p and the bo shared; a device-private anon page only in its own device's mirror",
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const o = w.objects[io.obj];
      if (!o) continue;
      const ic = w.config.importers.find((i) => i.id === importer);
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
        } else if (!io.att?.p2p || !o.shared) {
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
