/** Destroying a bo drops its name and CPU mappings; attachments keep it alive until detach. */
import { done, type Outcome } from '../exec/op.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import { emit } from '../world/log.js';
import type { BoObj, World } from '../world/types.js';

export function destroyBo(w: World, o: BoObj): Outcome {
  o.cpu = o.cpu.map(() => null);
  o.destroyed = true;
  emit(w, { type: 'obj.destroy', obj: o.key });
  maybeRelease(w, o.name);
  return done();
}
