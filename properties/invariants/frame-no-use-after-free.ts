import type { World } from '../../src/world/types.js';
import type { ImporterObjRef } from './backing.js';
import type { Finding, Invariant } from './types.js';

/** A finding if frame f is free; the description is only built then. */
function freeRef(w: World, f: number, what: () => string): Finding | null {
  return w.frames[f]?.state === 'free'
    ? { message: `${what()} references free frame ${f}`, frames: [f] }
    : null;
}

function scanReferences(w: World, imps: readonly ImporterObjRef[]): Finding | null {
  for (const o of Object.values(w.objects)) {
    if (o.kind === 'anon') {
      for (let i = 0; i < o.page.length; i++) {
        const pg = o.page[i];
        const pte = pg?.pte;
        if (pte && (pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'migration')) {
          const hit = freeRef(w, pte.f, () => `the CPU PTE of ${o.name}[${i}]`);
          if (hit) return hit;
        }
        if (pg?.tlb) {
          const hit = freeRef(w, pg.tlb.f, () => `the CPU TLB entry of ${o.name}[${i}]`);
          if (hit) return hit;
        }
      }
    } else {
      for (let i = 0; i < o.frames.length; i++) {
        const hit = freeRef(w, o.frames[i] ?? -1, () => `bo ${o.name}[${i}]`);
        if (hit) return hit;
        const c = o.cpu[i];
        if (c !== null && c !== undefined) {
          const h2 = freeRef(w, c, () => `the CPU mapping of bo ${o.name}[${i}]`);
          if (h2) return h2;
        }
      }
    }
  }
  for (const { importer, io } of imps) {
    for (let i = 0; i < io.pt.length; i++) {
      const e = io.pt[i];
      if (e) {
        const hit = freeRef(w, e.f, () => `${importer}'s device PTE for ${io.obj}[${i}]`);
        if (hit) return { ...hit, importers: [importer] };
      }
    }
    for (const f of io.pin?.frames ?? []) {
      const hit = freeRef(w, f, () => `${importer}'s pin on ${io.obj}`);
      if (hit) return { ...hit, importers: [importer] };
    }
  }
  for (const d of w.dma) {
    const hit = freeRef(w, d.f, () => `in-flight DMA of ${d.importer} on ${d.obj}[${d.page}]`);
    if (hit) return { ...hit, importers: [d.importer] };
  }
  for (const p of w.procs) {
    for (const f of p.holds) {
      const hit = freeRef(w, f, () => `pending process ${p.label} (${p.op})`);
      if (hit) return hit;
    }
  }
  return null;
}

export const frameNoUseAfterFree: Invariant = {
  name: 'Frame.NoUseAfterFree',
  statement:
    'no atomic step touches a free frame, and none is referenced by a PTE, TLB entry, device PTE, pin, in-flight DMA or pending process',
  check({ w, obs, imps, refs }) {
    for (const o of obs) {
      if (o.k === 'touch-free')
        return { message: `${o.what} touched free frame ${o.f}`, frames: [o.f] };
    }
    // Cheap first: is any referenced frame free at all? Only then find and describe it.
    const any = refs().any;
    for (let f = 0; f < any.length; f++) {
      if (any[f] === 1 && w.frames[f]?.state === 'free') return scanReferences(w, imps);
    }
    return null;
  },
};
