import type { Invariant } from './types.js';

export const policyPinnedNonP2pInSystem: Invariant = {
  name: 'Policy.PinnedNonP2pInSystem',
  statement:
    'a dmabuf pin for an attachment that may not use VRAM never points into VRAM; nor does a pin taken with the pin flag through a device VMA',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      const o = w.objects[io.obj];
      if (o?.kind === 'bo' && io.pin && io.vma?.pinned) {
        const f = io.pin.frames.find((x) => w.frames[x]?.kind === 'vram');
        if (f !== undefined) {
          return {
            message: `${importer}'s pin-flag pin of bo ${io.obj} holds it in VRAM (frame ${f}): the exporter must move it to system memory or refuse`,
            frames: [f],
            objs: [io.obj],
            importers: [importer],
          };
        }
      }
      if (o?.kind !== 'bo' || !io.pin || !io.att) continue;
      if (io.att.p2p && o.shared) continue;
      const f = io.pin.frames.find((x) => w.frames[x]?.kind === 'vram');
      if (f !== undefined) {
        return {
          message: `${importer}'s pin of bo ${io.obj} holds it in VRAM (frame ${f}) though ${io.att.p2p ? 'the bo is not shared' : 'the attachment is not peer-to-peer'}`,
          frames: [f],
          objs: [io.obj],
          importers: [importer],
        };
      }
    }
    return null;
  },
};
