/**
 * Object lifecycle: obj.destroy removes the name and the CPU mappings; the object lives on while
 * a pin or an attachment holds it, and is released (its frames freed) with the last one.
 */
import { releaseFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { World } from '../world/types.js';

export function hasUsers(w: World, obj: string): boolean {
  for (const imp of Object.values(w.importers)) {
    const io = imp.objs[obj];
    if (io && (io.sub || io.att || io.pin || io.job)) return true;
  }
  return false;
}

/** Release a destroyed object once nothing holds it. */
export function maybeRelease(w: World, obj: string): void {
  const o = w.objects[obj];
  if (!o?.destroyed || hasUsers(w, obj)) return;
  if (o.kind === 'bo') {
    if (o.movingBy !== null) return;
    for (const f of o.frames) releaseFrame(w, f);
  }
  for (const imp of Object.values(w.importers)) delete imp.objs[obj];
  delete w.objects[obj];
  emit(w, { type: 'obj.release', obj: o.key });
}
