/**
 * Page shapes: the coverage feedback's view of the world's state, as state-aware fuzzers count
 * abstract states besides code edges. After every step each page of each live object is reduced
 * to a small code — what its PTE is, what its frame is (kind, how many mappings, pinned,
 * referenced, exclusive), swap, protection, drops and copies, and how importers see it: how many
 * map it, whether a device entry, a pin or the TLB names a frame other than the one the page has
 * now (a "near miss" of a stale PFN or a leak, legitimate while an invalidation or a pin lasts).
 * A run that produces a code no earlier run did is kept, so the search is drawn towards the
 * unusual combinations bugs live in: a COW-shared page pinned read-only and unmapped, a dirty
 * page with a swap copy migrated to a device. Nothing here knows any fault.
 */
import type { AnonObj, BoObj, Frame, Pte, World } from '../../src/world/types.js';

/** Shape codes are features at and above this number (transition pairs stay below 2^40). */
export const SHAPE_BASE = 2 ** 45;

const PTE_KIND: Readonly<Record<Pte['t'], number>> = {
  none: 0,
  present: 1,
  devpriv: 2,
  migration: 3,
  exclusive: 4,
  swap: 5,
  poison: 6,
};

const PROT: Readonly<Record<AnonObj['page'][number]['prot'], number>> = { rw: 0, r: 1, none: 2 };

const bucket = (n: number): number => Math.min(n, 2);

/** The frame a PTE names, or -1. */
function pteFrame(pte: Pte): number {
  return 'f' in pte ? pte.f : -1;
}

function frameBits(fr: Frame | undefined): number {
  if (!fr) return 0;
  return (
    1 |
    ((fr.kind === 'vram' ? 1 : 0) << 1) |
    (bucket(fr.maps) << 2) |
    ((fr.pins > 0 ? 1 : 0) << 4) |
    ((fr.refs > 0 ? 1 : 0) << 5) |
    ((fr.anonExclusive ? 1 : 0) << 6)
  );
}

/** Per page of the object being shaped: how many importers map it (2 bits), then flags. */
let scratch = new Int32Array(16);
const STALE_ENTRY = 1 << 2;
const STALE_PIN = 1 << 3;
const PINNED = 1 << 4;
const WRITE_PIN = 1 << 5;

/** How the importers see each page of an object, into scratch. */
function importerBits(w: World, name: string, o: AnonObj): void {
  const n = o.page.length;
  if (scratch.length < n) scratch = new Int32Array(n * 2);
  scratch.fill(0, 0, n);
  for (const id in w.importers) {
    const io = w.importers[id]?.objs[name];
    if (!io) continue;
    for (let p = 0; p < n && p < io.pt.length; p++) {
      const e = io.pt[p];
      if (!e) continue;
      const pte = o.page[p]?.pte;
      const bits = scratch[p] ?? 0;
      let next = (bits & ~3) | Math.min((bits & 3) + 1, 2);
      if (!pte || pteFrame(pte) !== e.f) next |= STALE_ENTRY;
      scratch[p] = next;
    }
    const pin = io.pin;
    if (!pin) continue;
    for (let k = 0; k < pin.pages.length; k++) {
      const p = pin.pages[k] ?? -1;
      if (p < 0 || p >= n) continue;
      const pte = o.page[p]?.pte;
      let bits = (scratch[p] ?? 0) | PINNED;
      if (pin.write) bits |= WRITE_PIN;
      if (!pte || pteFrame(pte) !== pin.frames[k]) bits |= STALE_PIN;
      scratch[p] = bits;
    }
  }
}

function anonShapes(w: World, name: string, o: AnonObj, out: Set<number>): void {
  const child = o.process === 'p0' ? 0 : 1;
  importerBits(w, name, o);
  for (let p = 0; p < o.page.length; p++) {
    const pg = o.page[p];
    if (!pg) continue;
    const pte = pg.pte;
    const f = pteFrame(pte);
    const dirtyWrite = 'dirty' in pte ? (pte.dirty ? 1 : 0) | ((pte.write ? 1 : 0) << 1) : 0;
    const imp = scratch[p] ?? 0;
    const staleTlb = pg.tlb !== null && pg.tlb.f !== f ? 1 : 0;
    const code =
      (PTE_KIND[pte.t] ?? 7) |
      (dirtyWrite << 3) |
      (frameBits(f >= 0 ? w.frames[f] : undefined) << 5) |
      ((pg.swap !== null ? 1 : 0) << 12) |
      ((PROT[pg.prot] ?? 3) << 13) |
      ((pg.drops > 0 ? 1 : 0) << 15) |
      ((pg.cows > 0 ? 1 : 0) << 16) |
      ((pg.lost ? 1 : 0) << 17) |
      (child << 18) |
      (imp << 19) |
      (staleTlb << 25);
    out.add(SHAPE_BASE + code);
  }
}

function boShapes(w: World, name: string, o: BoObj, out: Set<number>): void {
  let bar = 0;
  let dummy = 0;
  for (const c of o.cpu) {
    if (c === null) continue;
    if (c === w.dummyFrame) dummy = 1;
    else bar = 1;
  }
  let atts = 0;
  let invalidated = 0;
  let staleSg = 0;
  let vramPin = 0;
  let vmaMaps = 0;
  for (const id in w.importers) {
    const io = w.importers[id]?.objs[name];
    if (!io) continue;
    const att = io.att;
    if (att && !att.freed) {
      atts += 1;
      if (att.invalidated) invalidated = 1;
      for (const e of att.sg ?? []) if (!o.frames.includes(e.f)) staleSg = 1;
    }
    if (io.pin?.vram) vramPin = 1;
    if (io.vma) vmaMaps = 1;
  }
  const code =
    (1 << 27) |
    (o.placement === 'vram' ? 1 : 0) |
    ((o.fence !== null ? 1 : 0) << 1) |
    ((o.shared ? 1 : 0) << 2) |
    ((o.lost.includes(true) ? 1 : 0) << 3) |
    (bar << 4) |
    (dummy << 5) |
    ((o.movingBy !== null ? 1 : 0) << 6) |
    ((o.vma ? 1 : 0) << 7) |
    (bucket(atts) << 8) |
    (invalidated << 10) |
    (staleSg << 11) |
    (vramPin << 12) |
    (vmaMaps << 13);
  out.add(SHAPE_BASE + code);
}

/** Add the shape of every page of every live object to `out`. */
export function addShapes(w: World, out: Set<number>): void {
  for (const name in w.objects) {
    const o = w.objects[name];
    if (!o || o.destroyed) continue;
    if (o.kind === 'anon') anonShapes(w, name, o, out);
    else boShapes(w, name, o, out);
  }
}
