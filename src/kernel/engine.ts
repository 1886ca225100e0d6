/**
 * A device's copy/DMA engine. An active device completes work at once; a hung one completes
 * nothing until it is reset.
 */
import type { Wait, World } from '../world/types.js';

export function engineWait(w: World, devices: readonly string[]): Wait | null {
  for (const d of devices) {
    const dev = w.devices[d];
    if (dev && dev.power === 'hung') return { on: 'device', device: d, power: 'hung' };
  }
  return null;
}
