import type { Invariant } from './types.js';

export const pinLongtermNotInDeviceMemory: Invariant = {
  name: 'Pin.LongtermNotInDeviceMemory',
  statement:
    'a longterm pin never points into device memory (a dio pin may point into coherent memory)',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      if (!io.pin?.longterm) continue;
      for (const f of io.pin.frames) {
        if (w.frames[f]?.kind === 'vram') {
          return {
            message: `${importer} holds a FOLL_LONGTERM pin on device frame ${f} (${io.obj})`,
            frames: [f],
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
