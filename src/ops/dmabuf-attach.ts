/** dma-buf attach (placeholder until the dma-buf work lands). */
import { failed, type Outcome } from '../exec/op.js';
import type { ImporterConfig } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, ImporterObj, World } from '../world/types.js';

export function dmabufAttachErrno(_w: World, _ic: ImporterConfig, _o: BoObj): Errno | null {
  return 'EOPNOTSUPP';
}
export function attachDmabuf(
  _w: World,
  _ic: ImporterConfig,
  _o: BoObj,
  _io: ImporterObj,
  _order: number,
): Outcome {
  return failed('EOPNOTSUPP');
}
