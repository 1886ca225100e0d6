/** CPU access to a bo (placeholder until the dma-buf work lands). */
import { failNow, type Plan } from '../exec/op.js';
import type { BoObj, Proc, World } from '../world/types.js';

export type BoCpuState = Record<string, never>;
export function newBoCpu(): BoCpuState {
  return {};
}
export function boCpuPhase(_w: World, _o: BoObj, _s: BoCpuState): string {
  return 'access';
}
export function planBoCpu(
  _w: World,
  _p: Proc,
  _o: BoObj,
  _page: number,
  _write: boolean,
  _value: number,
  _s: BoCpuState,
): Plan {
  return failNow('EOPNOTSUPP');
}
