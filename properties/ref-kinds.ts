/**
 * Who references which frame: one entry per kind of reference, the single place that knows
 * where the world keeps pointers to frames. The per-step index and every invariant that asks
 * "does anything still point at this frame?" go through this list, so a new kind of reference
 * (a second address space, a VMA's BAR window…) is added here once.
 *
 * Owning references keep a frame allocated: a CPU PTE (or migration entry), a shmem page cache,
 * a bo's backing, a pin, in-flight DMA, a frame a pending process holds. The others must merely not dangle: TLB
 * entries, CPU mappings of bos, device page-table entries.
 */
import { mappedFrame } from '../src/kernel/pages.js';
import type { World } from '../src/world/types.js';
import type { ImporterObjRef } from './invariants/backing.js';

/** What walks the references: told of each frame a reference points at. */
export interface RefVisitor {
  ref(f: number): void;
}

export interface RefKind {
  readonly name: string;
  readonly owning: boolean;
  /** v.ref(f) for every reference of this kind (a frame may come more than once). */
  each(w: World, imps: readonly ImporterObjRef[], v: RefVisitor): void;
  /** The references of this kind to frame f, in words (only when a finding is reported). */
  describe(w: World, imps: readonly ImporterObjRef[], f: number, out: string[]): void;
}

export const REF_KINDS: readonly RefKind[] = [
  {
    name: 'pte',
    owning: true,
    each(w, _imps, v) {
      for (const name in w.objects) {
        const o = w.objects[name];
        if (o?.kind !== 'anon') continue;
        for (const pg of o.page) {
          // mappedFrame, inline (the hottest loop of the per-step index).
          const pte = pg.pte;
          if (pte.t !== 'none' && pte.t !== 'swap' && pte.t !== 'poison') v.ref(pte.f);
        }
      }
    },
    describe(w, _imps, f, out) {
      for (const o of Object.values(w.objects)) {
        if (o.kind !== 'anon') continue;
        o.page.forEach((pg, i) => {
          if (mappedFrame(pg.pte) === f) out.push(`the CPU PTE of ${o.name}[${i}]`);
        });
      }
    },
  },
  {
    // The page cache of a shared anonymous mapping (shmem): it keeps the page between mappings,
    // as long as some range still maps the file. A cache no range maps is a leak: its frames
    // count as nobody's (Lifecycle.NoLeaks).
    name: 'page-cache',
    owning: true,
    each(w, _imps, v) {
      let files: Set<number> | null = null;
      for (const uid in w.shmem) {
        files ??= mappedFiles(w);
        if (!files.has(Number(uid))) continue;
        for (const f of w.shmem[uid] ?? []) if (f !== null) v.ref(f);
      }
    },
    describe(w, _imps, f, out) {
      for (const uid in w.shmem) {
        w.shmem[uid]?.forEach((g, i) => {
          if (g === f) out.push(`the page cache of shared mapping uid ${uid}, page ${i}`);
        });
      }
    },
  },
  {
    name: 'tlb',
    owning: false,
    each(w, _imps, v) {
      for (const name in w.objects) {
        const o = w.objects[name];
        if (o?.kind !== 'anon') continue;
        for (const pg of o.page) if (pg.tlb) v.ref(pg.tlb.f);
      }
    },
    describe(w, _imps, f, out) {
      for (const o of Object.values(w.objects)) {
        if (o.kind !== 'anon') continue;
        o.page.forEach((pg, i) => {
          if (pg.tlb?.f === f) out.push(`the CPU TLB entry of ${o.name}[${i}]`);
        });
      }
    },
  },
  {
    name: 'bo',
    owning: true,
    each(w, _imps, v) {
      for (const name in w.objects) {
        const o = w.objects[name];
        if (o?.kind === 'bo') for (const f of o.frames) v.ref(f);
      }
    },
    describe(w, _imps, f, out) {
      for (const o of Object.values(w.objects)) {
        if (o.kind !== 'bo') continue;
        o.frames.forEach((g, i) => {
          if (g === f) out.push(`bo ${o.name}[${i}]`);
        });
      }
    },
  },
  {
    name: 'bo-cpu',
    owning: false,
    each(w, _imps, v) {
      for (const name in w.objects) {
        const o = w.objects[name];
        if (o?.kind === 'bo') for (const c of o.cpu) if (c !== null) v.ref(c);
      }
    },
    describe(w, _imps, f, out) {
      for (const o of Object.values(w.objects)) {
        if (o.kind !== 'bo') continue;
        o.cpu.forEach((c, i) => {
          if (c === f) out.push(`the CPU mapping of bo ${o.name}[${i}]`);
        });
      }
    },
  },
  {
    name: 'devpt',
    owning: false,
    each(_w, imps, v) {
      for (const { io } of imps) for (const e of io.pt) if (e) v.ref(e.f);
    },
    describe(_w, imps, f, out) {
      for (const { importer, io } of imps) {
        io.pt.forEach((e, i) => {
          if (e?.f === f) out.push(`${importer}'s device PTE for ${io.obj}[${i}]`);
        });
      }
    },
  },
  {
    // A page of a GPU's BAR window exposing a VRAM frame to a peer's p2p map (p2p.md).
    name: 'bar-window',
    owning: false,
    each(_w, imps, v) {
      for (const { io } of imps) if (io.vma) for (const f of io.vma.frames) v.ref(f);
    },
    describe(_w, imps, f, out) {
      for (const { importer, io } of imps) {
        if (io.vma?.frames.includes(f))
          out.push(`the BAR window of ${io.vma.device} ${importer}'s p2p map of ${io.obj} holds`);
      }
    },
  },
  {
    name: 'pin',
    owning: true,
    each(_w, imps, v) {
      for (const { io } of imps) if (io.pin) for (const f of io.pin.frames) v.ref(f);
    },
    describe(_w, imps, f, out) {
      for (const { importer, io } of imps) {
        if (io.pin?.frames.includes(f)) out.push(`${importer}'s pin on ${io.obj}`);
      }
    },
  },
  {
    name: 'dma',
    owning: true,
    each(w, _imps, v) {
      for (const d of w.dma) v.ref(d.f);
    },
    describe(w, _imps, f, out) {
      for (const d of w.dma) {
        if (d.f === f) out.push(`in-flight DMA of ${d.importer} on ${d.obj}[${d.page}]`);
      }
    },
  },
  {
    name: 'holds',
    owning: true,
    each(w, _imps, v) {
      for (const p of w.procs) for (const f of p.holds) v.ref(f);
    },
    describe(w, _imps, f, out) {
      for (const p of w.procs) {
        if (p.holds.includes(f)) out.push(`pending process ${p.label} (${p.op})`);
      }
    },
  },
];

/** The uids of the shared anonymous files some range still maps (not destroyed, not munmapped). */
function mappedFiles(w: World): Set<number> {
  const out = new Set<number>();
  for (const name in w.objects) {
    const o = w.objects[name];
    if (o?.kind === 'anon' && o.shared && !o.destroyed && o.page.some((pg) => pg.prot !== 'none'))
      out.add(o.uid);
  }
  return out;
}

/** Every reference to frame f, in words. */
export function describeRefs(w: World, imps: readonly ImporterObjRef[], f: number): string[] {
  const out: string[] = [];
  for (const k of REF_KINDS) k.describe(w, imps, f, out);
  return out;
}
