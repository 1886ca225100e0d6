import { pageLife } from '../../src/kernel/pages.js';
import type { Invariant } from './types.js';

export const hangLossIsReported: Invariant = {
  name: 'Hang.LossIsReported',
  statement:
    'garbage (VRAM content a reset or a surprise removal destroyed) is never read as data; a mapping made before a loss is invalidated when the loss is reported: no importer maps a lost frame, nor a page whose loss is reported',
  check({ w, obs, imps }) {
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
    // A page's loss is reported while an importer still maps the page: a mapping of a bo's new
    // placement taken while its copy was pending, say, which maps no lost frame but data that is
    // gone (the current life of the page only: a pin's earlier life is not mapped).
    for (const o of obs) {
      if (o.k !== 'lost') continue;
      const obj = w.objects[o.obj];
      const pg = obj?.kind === 'anon' ? obj.page[o.page] : undefined;
      if (pg && o.gen !== undefined && o.gen !== pageLife(pg)) continue;
      for (const { importer, io } of imps) {
        const e = io.obj === o.obj ? io.pt[o.page] : null;
        if (e) {
          return {
            message: `${o.obj}[${o.page}] was reported lost but ${importer} still maps it (frame ${e.f})`,
            frames: [e.f],
            objs: [o.obj],
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
