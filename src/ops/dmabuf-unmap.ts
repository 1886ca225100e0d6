/** dma-buf unmap (placeholder until the dma-buf work lands). */
import { failNow, type Plan } from '../exec/op.js';
import type { Proc, World } from '../world/types.js';

export function planDmabufUnmap(_w: World, _p: Proc, _importer: string, _obj: string): Plan {
  return failNow('EOPNOTSUPP');
}
