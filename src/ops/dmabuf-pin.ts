/** dma-buf pin (placeholder until the dma-buf work lands). */
import { failNow, type Plan } from '../exec/op.js';
import type { ImporterConfig } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, World } from '../world/types.js';

export type DmabufPinState = { readonly importer: string; readonly obj: string };
export function newDmabufPin(importer: string, obj: string): DmabufPinState {
  return { importer, obj };
}
export function dmabufPinErrno(_w: World, _ic: ImporterConfig, _o: BoObj): Errno | null {
  return 'EOPNOTSUPP';
}
export function dmabufPinPhase(_w: World, _d: DmabufPinState): string {
  return 'pin';
}
export function planDmabufPin(_w: World, _p: Proc, _d: DmabufPinState): Plan {
  return failNow('EOPNOTSUPP');
}
