/** dma_buf_unpin by a dynamic importer. */
import { done, type Outcome } from '../exec/op.js';
import { dropBoPin } from '../kernel/dmabuf.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import type { BoObj, ImporterObj, World } from '../world/types.js';
import { tidyImporterObj } from './args.js';

export function unpinDmabuf(w: World, importer: string, o: BoObj, _io: ImporterObj): Outcome {
  dropBoPin(w, importer, o);
  tidyImporterObj(w, importer, o.name);
  maybeRelease(w, o.name);
  return done();
}
