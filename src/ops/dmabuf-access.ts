/** dma-buf DMA issue (placeholder until the dma-buf work lands). */
import { failNow, type Outcome, type Plan } from '../exec/op.js';
import type { Proc, World } from '../world/types.js';

export type DmabufIssueState = Record<string, never>;
export function newDmabufIssue(): DmabufIssueState {
  return {};
}
export function planDmabufIssue(
  _w: World,
  _p: Proc,
  _importer: string,
  _obj: string,
  _page: number,
  _s: DmabufIssueState,
  _issue: (f: number) => Outcome,
): Plan {
  return failNow('EOPNOTSUPP');
}
