/** Moving a bo (placeholder until the dma-buf work lands). */
import { failNow, type Plan } from '../exec/op.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, World } from '../world/types.js';

export type BoMoveState = Record<string, never>;
export function startBoMigrate(
  _w: World,
  _a: Readonly<Record<string, unknown>>,
  _o: BoObj,
): { kind: 'bo'; move: BoMoveState } | Errno {
  return 'EOPNOTSUPP';
}
export function boMovePhase(_m: BoMoveState): string {
  return 'collect';
}
export function planBoMigrate(_w: World, _p: Proc, _m: BoMoveState): Plan {
  return failNow('EOPNOTSUPP');
}
