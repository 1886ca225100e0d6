/**
 * Anonymous pages: the CPU PTE, first-touch population, swap-in, and where a page lives.
 */
import { allocFrame, systemPool, writeFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, AnonPage, Obj, Pin, Pte, World } from '../world/types.js';
import { cachedFrame, shmemAlloc } from './shmem.js';

export function anonPage(w: World, obj: string, page: number): AnonPage | undefined {
  const o = w.objects[obj];
  return o?.kind === 'anon' ? o.page[page] : undefined;
}

/** The frame that backs the page for the CPU and devices, if any. */
export function pteFrame(pte: Pte): number | null {
  return pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'exclusive' ? pte.f : null;
}

/** The frame a PTE maps, migration entries included (what the frame's mapcount counts). */
export function mappedFrame(pte: Pte): number | null {
  return pte.t === 'present' ||
    pte.t === 'devpriv' ||
    pte.t === 'migration' ||
    pte.t === 'exclusive'
    ? pte.f
    : null;
}

/**
 * Replace a page's PTE, keeping every frame's mapcount in step: the frame the old PTE mapped
 * loses a mapping, the one the new PTE maps gains one. The caller releases a frame nobody maps
 * any more (releaseFrame keeps a frame that is still mapped).
 */
export function setPte(w: World, pg: AnonPage, pte: Pte): void {
  const before = mappedFrame(pg.pte);
  const after = mappedFrame(pte);
  if (before !== after) {
    const a = before === null ? undefined : w.frames[before];
    if (a) a.maps -= 1;
    const b = after === null ? undefined : w.frames[after];
    if (b) b.maps += 1;
  }
  pg.pte = pte;
}

/**
 * Which life of the page the process sees: each drop (munmap, MADV_DONTNEED) and each
 * copy-on-write starts a new one; a pin taken in an earlier life reaches that life's frame.
 */
export function pageLife(pg: AnonPage): number {
  return pg.drops + pg.cows;
}

/** The life a pin reaches (the page's when it was pinned). */
export function pinLife(pin: Pin, k: number): number {
  return (pin.drops[k] ?? 0) + (pin.cows[k] ?? 0);
}

export function setAnonExclusive(w: World, f: number, on: boolean): void {
  const fr = w.frames[f];
  if (fr) fr.anonExclusive = on;
}

/** Where the frame of a present page lives. */
export function whereIs(w: World, f: number): 'system' | 'private' | 'coherent' {
  const fr = w.frames[f];
  if (fr?.kind !== 'vram' || fr.device === null) return 'system';
  const d = w.config.devices.find((x) => x.id === fr.device);
  return d?.memory === 'coherent' ? 'coherent' : 'private';
}

export function deviceOf(w: World, f: number): string | null {
  const fr = w.frames[f];
  return fr?.kind === 'vram' ? fr.device : null;
}

/** Frames a first touch or a swap-in of these pages would need. */
export function framesToFault(w: World, o: AnonObj, pages: readonly number[]): number {
  let n = 0;
  for (const i of pages) {
    const t = o.page[i]?.pte.t;
    if (t === 'swap' || (t === 'none' && cachedFrame(w, o, i) === null)) n += 1;
  }
  return n;
}

/**
 * First touch: a zero-filled system page (do_anonymous_page); for shmem the page cache's page,
 * allocated there on the file's first touch of it (shmem_fault).
 */
export function populate(w: World, o: AnonObj, page: number): boolean {
  const pg = o.page[page];
  if (pg?.pte.t !== 'none') return false;
  if (o.shared) {
    const f = cachedFrame(w, o, page) ?? shmemAlloc(w, o, page);
    if (f === null) return false;
    setPte(w, pg, { t: 'present', f, dirty: false, write: pg.prot === 'rw' });
    emit(w, { type: 'page.populate', obj: o.key, page, shmem: true });
    return true;
  }
  const f = allocFrame(w, systemPool(), { obj: o.name, page });
  if (f === null) return false;
  setPte(w, pg, { t: 'present', f, dirty: false, write: pg.prot === 'rw' });
  setAnonExclusive(w, f, true);
  emit(w, { type: 'page.populate', obj: o.key, page });
  return true;
}

/** do_swap_page: read the slot into a fresh frame; the slot keeps its copy while clean. */
export function swapIn(w: World, o: AnonObj, page: number): boolean {
  const pg = o.page[page];
  if (pg?.pte.t !== 'swap') return false;
  const slot = pg.pte.slot;
  const f = allocFrame(w, systemPool(), { obj: o.name, page });
  if (f === null) return false;
  writeFrame(w, f, w.swap[slot]?.data ?? null, 'swap-in');
  setPte(w, pg, { t: 'present', f, dirty: false, write: pg.prot === 'rw' });
  setAnonExclusive(w, f, true);
  pg.swap = slot;
  emit(w, { type: 'page.swap_in', obj: o.key, page });
  return true;
}

/** Fault in (populate or swap in) every page that has no frame. */
export function faultInAll(w: World, o: AnonObj, pages: readonly number[]): boolean {
  for (const i of pages) {
    const t = o.page[i]?.pte.t;
    if (t === 'none' && !populate(w, o, i)) return false;
    if (t === 'swap' && !swapIn(w, o, i)) return false;
  }
  return true;
}

export function markDirty(pg: AnonPage): void {
  if (pg.pte.t === 'present' || pg.pte.t === 'devpriv' || pg.pte.t === 'exclusive')
    pg.pte = { ...pg.pte, dirty: true };
}

export function flushTlb(pg: AnonPage): void {
  pg.tlb = null;
}

export function isAnon(o: Obj | undefined): o is AnonObj {
  return o?.kind === 'anon';
}

export function allPages(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
