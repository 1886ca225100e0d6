/**
 * Who points at which frame, computed once per step for the invariants that need it:
 * `owning` references keep a frame allocated (PTEs and migration entries, a bo's backing, pins,
 * in-flight DMA, frames a pending process holds); `any` adds what must merely not dangle (TLB
 * entries, CPU mappings of bos, device page-table entries).
 */
import { onDevice } from '../../src/kernel/device.js';
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

/**
 * Whether any reference (`refs.any`) points into the device's VRAM;
 * if none, nothing there is in use.
 */
export function refersToDevice(w: World, refs: FrameRefs, device: string): boolean {
  const any = refs.any;
  for (let f = 0; f < any.length; f++) if (any[f] === 1 && onDevice(w, f, device)) return true;
  return false;
}
