/** dma-buf detach (placeholder until the dma-buf work lands). */
import { failNow, type Plan } from '../exec/op.js';
import type { Proc, World } from '../world/types.js';

export type DmabufDetachState = {
  readonly importer: string;
  readonly obj: string;
  stage: 'revoke' | 'free';
};
export function newDmabufDetach(importer: string, obj: string): DmabufDetachState {
  return { importer, obj, stage: 'revoke' };
}
export function planDmabufDetach(_w: World, _p: Proc, _d: DmabufDetachState): Plan {
  return failNow('EOPNOTSUPP');
}
