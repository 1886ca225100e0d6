/**
 * Processes name objects by name and remember which incarnation they started on: once an object
 * is released its name may be reused, and a process of the old one must not touch the new one.
 */
import type { ImporterConfig } from '../world/config.js';
import type { Obj, World } from '../world/types.js';

export function objOf(w: World, name: string, uid: number): Obj | undefined {
  const o = w.objects[name];
  return o && o.uid === uid ? o : undefined;
}

/** The name events report for an object: its incarnation's key, or the bare name once released. */
export function keyOf(w: World, obj: string): string {
  return w.objects[obj]?.key ?? obj;
}

/** An importer's configuration by id. */
export function importerConfig(w: World, importer: string): ImporterConfig | undefined {
  return w.config.importers.find((i) => i.id === importer);
}

/** A fresh object uid (run-wide). */
export function takeUid(w: World): number {
  const uid = w.nextUid;
  w.nextUid += 1;
  return uid;
}
