import { usedFrames, vramPool } from '../../src/world/frames.js';
import type { Invariant } from './types.js';

export const deviceCapacityRespected: Invariant = {
  name: 'Device.CapacityRespected',
  statement: 'allocated VRAM frames never exceed capacity',
  check({ w }) {
    for (const d of w.config.devices) {
      const used = usedFrames(w, vramPool(d.id));
      if (used > d.vramFrames)
        return { message: `${d.id} has ${used} VRAM frames allocated, capacity ${d.vramFrames}` };
    }
    return null;
  },
};
