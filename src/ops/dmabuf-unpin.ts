/** dma-buf unpin (placeholder until the dma-buf work lands). */
import { done, type Outcome } from '../exec/op.js';
import type { BoObj, ImporterObj, World } from '../world/types.js';

export function unpinDmabuf(_w: World, _importer: string, _o: BoObj, io: ImporterObj): Outcome {
  io.pin = null;
  return done();
}
