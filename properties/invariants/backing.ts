/**
 * The frame that currently backs an object page, read straight from the world: a bo's frame, the
 * frame an anon page's PTE maps, or — for a page of a shared mapping (shmem) that this process
 * does not map right now but has not unmapped — the page cache's frame.
 */
import type { AnonObj, ImporterObj, World } from '../../src/world/types.js';

export function backingFrame(w: World, obj: string, page: number): number | null {
  const o = w.objects[obj];
  if (!o) return null;
  if (o.kind === 'bo') return o.frames[page] ?? null;
  const pte = o.page[page]?.pte;
  if (pte?.t === 'present' || pte?.t === 'devpriv' || pte?.t === 'exclusive') return pte.f;
  return o.kind === 'anon' ? cachedBacking(w, o, page) : null;
}

/** A shmem page the process does not map now but has not unmapped: its page cache's frame. */
export function cachedBacking(w: World, o: AnonObj, page: number): number | null {
  const pg = o.page[page];
  if (!o.shared || pg?.pte.t !== 'none' || pg.prot === 'none') return null;
  return w.shmem[o.uid]?.[page] ?? null;
}

export interface ImporterObjRef {
  readonly importer: string;
  readonly io: ImporterObj;
}

/**
 * Every importer's per-object state, as a flat list. `prev` (the list of the step before) is
 * returned as it is when nothing was attached or detached since, so a step allocates nothing.
 */
export function importerObjs(
  w: World,
  prev: readonly ImporterObjRef[] = [],
): readonly ImporterObjRef[] {
  let k = 0;
  let same = true;
  for (const id in w.importers) {
    const imp = w.importers[id];
    if (!imp) continue;
    for (const o in imp.objs) {
      const io = imp.objs[o];
      if (!io) continue;
      const r = prev[k++];
      if (r?.io !== io || r.importer !== id) {
        same = false;
        break;
      }
    }
    if (!same) break;
  }
  if (same && k === prev.length) return prev;
  const out: ImporterObjRef[] = [];
  for (const id in w.importers) {
    const imp = w.importers[id];
    if (!imp) continue;
    for (const o in imp.objs) {
      const io = imp.objs[o];
      if (io) out.push({ importer: id, io });
    }
  }
  return out;
}
