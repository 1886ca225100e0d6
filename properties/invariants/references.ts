/**
 * Who points at which frame, computed once per step for the invariants that need it:
 * `owning` references keep a frame allocated (PTEs and migration entries, a bo's backing, pins,
 * in-flight DMA, frames a pending process holds); `any` adds what must merely not dangle (TLB
 * entries, CPU mappings of bos, device page-table entries).
 */
import type { World } from '../../src/world/types.js';
import type { ImporterObjRef } from './backing.js';

export interface FrameRefs {
  readonly owning: Uint8Array;
  readonly any: Uint8Array;
}

export function frameRefs(w: World, imps: readonly ImporterObjRef[]): FrameRefs {
  const owning = new Uint8Array(w.frames.length);
  const any = new Uint8Array(w.frames.length);
  const own = (f: number) => {
    owning[f] = 1;
    any[f] = 1;
  };
  for (const name in w.objects) {
    const o = w.objects[name];
    if (!o) continue;
    if (o.kind === 'anon') {
      for (const pg of o.page) {
        const pte = pg.pte;
        if (pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'migration') own(pte.f);
        if (pg.tlb) any[pg.tlb.f] = 1;
      }
    } else {
      for (const f of o.frames) own(f);
      for (const c of o.cpu) if (c !== null) any[c] = 1;
    }
  }
  for (const { io } of imps) {
    if (io.pin) for (const f of io.pin.frames) own(f);
    for (const e of io.pt) if (e) any[e.f] = 1;
  }
  for (const p of w.procs) for (const f of p.holds) own(f);
  for (const d of w.dma) own(d.f);
  return { owning, any };
}
