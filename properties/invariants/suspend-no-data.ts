import { onDevice } from '../../src/kernel/device.js';
import { mappedFrame } from '../../src/kernel/pages.js';
import type { Invariant } from './types.js';

export const suspendNoDataInPoweredOffVram: Invariant = {
  name: 'Suspend.NoDataInPoweredOffVram',
  statement: 'while a device is suspended no live data exists only in its VRAM and nothing maps it',
  check({ w, imps, index }) {
    for (const id in w.devices) {
      const d = w.devices[id];
      if (d?.power !== 'suspended') continue;
      // Every mapping below is a reference: with none into the device, there is nothing to find.
      if (!index().refersToDevice(d.id)) continue;
      for (const o of Object.values(w.objects)) {
        if (o.kind === 'anon') {
          const i = o.page.findIndex((pg) => {
            const f = mappedFrame(pg.pte);
            return f !== null && onDevice(w, f, d.id);
          });
          if (i >= 0)
            return {
              message: `${d.id} is powered off but ${o.name}[${i}] lives only in its memory`,
              objs: [o.name],
            };
        } else {
          const i = o.frames.findIndex((f) => onDevice(w, f, d.id));
          if (i >= 0)
            return {
              message: `${d.id} is powered off but bo ${o.name}[${i}] lives only in its VRAM`,
              objs: [o.name],
            };
        }
      }
      for (const { importer, io } of imps) {
        if (io.pt.some((e) => e !== null && onDevice(w, e.f, d.id))) {
          return {
            message: `${d.id} is powered off but ${importer} maps ${io.obj} into its VRAM`,
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
