import type { Invariant } from './types.js';

export const hangLossIsReported: Invariant = {
  name: 'Hang.LossIsReported',
  statement:
    'garbage (VRAM content a reset or a surprise removal destroyed) is never read as data; a mapping made before a loss is invalidated when the loss is reported',
  check({ obs, imps }) {
    for (const o of obs) {
      if (o.k === 'read' && o.data !== null && o.data.o === -1 && o.value !== 'lost') {
        return {
          message: `${o.who} read ${o.obj}[${o.page}] = ${o.value} from frame ${o.f}, whose content was destroyed (VRAM lost): the loss was not reported`,
          frames: [o.f],
          objs: [o.obj],
        };
      }
      if (o.k === 'loss-reported') {
        const lost = new Set(o.frames);
        for (const { importer, io } of imps) {
          const page = io.pt.findIndex((e) => e !== null && lost.has(e.f));
          if (page >= 0) {
            return {
              message: `${o.device} lost its VRAM but ${importer} still maps ${io.obj}[${page}] to frame ${io.pt[page]?.f}`,
              frames: [io.pt[page]?.f ?? -1],
              objs: [io.obj],
              importers: [importer],
            };
          }
        }
      }
    }
    return null;
  },
};
