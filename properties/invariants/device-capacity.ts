import type { Invariant } from './types.js';

export const deviceCapacityRespected: Invariant = {
  name: 'Device.CapacityRespected',
  statement: 'allocated VRAM frames never exceed capacity',
  check({ w }) {
    for (const d of w.config.devices) {
      let used = 0;
      for (const fr of w.frames) {
        if (
          fr.kind === 'vram' &&
          fr.device === d.id &&
          fr.state !== 'free' &&
          fr.state !== 'reserved'
        )
          used += 1;
      }
      if (used > d.vramFrames)
        return { message: `${d.id} has ${used} VRAM frames allocated, capacity ${d.vramFrames}` };
    }
    return null;
  },
};
