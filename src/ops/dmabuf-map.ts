/** dma-buf map (placeholder until the dma-buf work lands). */
import { failNow, type Plan } from '../exec/op.js';
import type { ImporterConfig } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, World } from '../world/types.js';

export type DmabufMapState = { readonly importer: string; readonly obj: string };
export function newDmabufMap(importer: string, obj: string): DmabufMapState {
  return { importer, obj };
}
export function dmabufMapErrno(_w: World, _ic: ImporterConfig, _o: BoObj): Errno | null {
  return 'EOPNOTSUPP';
}
export function dmabufMapPhase(_w: World, _m: DmabufMapState): string {
  return 'place';
}
export function planDmabufMap(_w: World, _p: Proc, _m: DmabufMapState): Plan {
  return failNow('EOPNOTSUPP');
}
