/** How a device's power state answers an operation on it or on its objects. */
import type { Errno } from '../world/errno.js';
import type { World } from '../world/types.js';

/** ENODEV once the device is gone (unplug from its gone step). */
export function deviceErrno(w: World, device: string | null): Errno | null {
  if (device === null) return null;
  const d = w.devices[device];
  if (!d) return 'ENODEV';
  return d.gone ? 'ENODEV' : null;
}
