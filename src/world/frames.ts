/**
 * Physical frames: allocation (most recently freed first, then lowest index), release,
 * references and pins, and every read or write of frame memory (a touch of a free frame is
 * reported, the way KASAN reports a use after free).
 */
import type { AnonObj, Content, World } from './types.js';

export function systemPool(): string {
  return 'system';
}

export function vramPool(device: string): string {
  return `vram:${device}`;
}

export function poolOf(w: World, f: number): string | null {
  const fr = w.frames[f];
  if (fr === undefined) return null;
  if (fr.kind === 'system') return systemPool();
  if (fr.kind === 'vram' && fr.device !== null) return vramPool(fr.device);
  return null;
}

export function freeCount(w: World, pool: string): number {
  return w.free[pool]?.length ?? 0;
}

/**
 * Take a frame from a pool for (obj, page). It is zero-filled (unless the dirty-frame-reuse
 * fault is on). Returns null when the pool is exhausted.
 */
export function allocFrame(
  w: World,
  pool: string,
  owner: { obj: string; page: number },
): number | null {
  const stack = w.free[pool];
  let f = stack?.pop();
  if (f === undefined) {
    f = w.faults['vram-overcommit'] ? reservedFrame(w, pool) : undefined;
    if (f === undefined) return null;
  }
  const fr = w.frames[f];
  if (fr === undefined) return null;
  fr.state = 'used';
  fr.tag += 1;
  fr.owner = { obj: owner.obj, page: owner.page };
  fr.refs = 0;
  fr.maps = 0;
  fr.anonExclusive = false;
  setPins(w, f, 0);
  if (!w.faults['dirty-frame-reuse']) fr.data = null;
  return f;
}

function reservedFrame(w: World, pool: string): number | undefined {
  const p = w.pools[pool];
  if (p === undefined) return undefined;
  const f = p.first + p.size;
  return w.frames[f]?.state === 'reserved' ? f : undefined;
}

function putOnFreeList(w: World, f: number): void {
  const fr = w.frames[f];
  const pool = poolOf(w, f);
  if (fr === undefined || pool === null) return;
  fr.state = 'free';
  fr.owner = null;
  const p = w.pools[pool];
  if (p !== undefined && f >= p.first + p.size) {
    fr.state = 'reserved';
    return;
  }
  const list = w.free[pool] ?? [];
  list.push(f);
  w.free[pool] = list;
}

/**
 * The owner lets go of a frame. A frame still pinned or referenced becomes an orphan and is
 * freed by the last unpin or put; a pinned frame is never freed here.
 */
export function releaseFrame(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr === undefined || fr.state === 'free' || fr.state === 'dummy') return;
  // Another process still maps it (copy-on-write after fork): it stays theirs.
  if (fr.maps > 0) {
    fr.owner = mapperOf(w, f) ?? fr.owner;
    return;
  }
  // A shmem page stays in its page cache until the file goes (kernel/shmem.ts).
  if (inPageCache(w, f)) return;
  if (fr.pins > 0 || fr.refs > 0) {
    fr.owner = null;
    return;
  }
  putOnFreeList(w, f);
}

/** Whether the page cache of a shared mapping holds frame f (as the page its owner names). */
function inPageCache(w: World, f: number): boolean {
  const owner = w.frames[f]?.owner;
  const o = owner ? w.objects[owner.obj] : undefined;
  return o?.kind === 'anon' && o.shared === true && w.shmem[o.uid]?.[owner?.page ?? -1] === f;
}

/** An anon page whose PTE maps the frame (for the few frames fork shares). */
function mapperOf(w: World, f: number): { obj: string; page: number } | null {
  const m = mappersOf(w, f)[0];
  return m ? { obj: m.o.name, page: m.page } : null;
}

/**
 * Every anon page whose PTE (or migration or exclusive entry) maps frame f: the rmap walk. The
 * model keeps no reverse map, so it scans; callers ask only about frames mapped more than once.
 */
export function mappersOf(w: World, f: number): { o: AnonObj; page: number }[] {
  const out: { o: AnonObj; page: number }[] = [];
  for (const name in w.objects) {
    const o = w.objects[name];
    if (o?.kind !== 'anon') continue;
    for (let page = 0; page < o.page.length; page++) {
      const pte = o.page[page]?.pte;
      if (pte && 'f' in pte && pte.f === f) out.push({ o, page });
    }
  }
  return out;
}

/** Free a frame whatever holds it: only faulty paths do this. */
export function forceFree(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr === undefined || fr.state === 'free' || fr.state === 'dummy') return;
  if (fr.pins > 0) w.log.obs.push({ k: 'freed-pinned', f });
  putOnFreeList(w, f);
}

/** The frame may now be free: nobody owns, pins or references it. */
function maybeFreeOrphan(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr === undefined || fr.state === 'free' || fr.state === 'dummy') return;
  if (fr.owner === null && fr.pins === 0 && fr.refs === 0 && fr.maps === 0) {
    if (w.faults['orphan-never-freed']) return;
    putOnFreeList(w, f);
  }
}

export function getRef(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr !== undefined) fr.refs += 1;
}

export function putRef(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr === undefined) return;
  fr.refs -= 1;
  maybeFreeOrphan(w, f);
}

/** Change a frame's pin count, keeping the table's pin summary (w.pinStats) in step. */
function setPins(w: World, f: number, pins: number): void {
  const fr = w.frames[f];
  if (fr === undefined || fr.pins === pins) return;
  w.pinStats.sum += pins - fr.pins;
  w.pinStats.frames += (pins !== 0 ? 1 : 0) - (fr.pins !== 0 ? 1 : 0);
  fr.pins = pins;
}

export function pinFrame(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr !== undefined) setPins(w, f, fr.pins + 1);
}

export function unpinFrame(w: World, f: number): void {
  const fr = w.frames[f];
  if (fr === undefined) return;
  if (!w.faults['unpin-keeps-count']) setPins(w, f, fr.pins - 1);
  maybeFreeOrphan(w, f);
}

/** Frames of a pool that are allocated (its reserved frame too, if an overcommit took it). */
export function usedFrames(w: World, pool: string): number {
  const p = w.pools[pool];
  if (!p) return 0;
  const reserved = w.frames[p.first + p.size];
  const extra =
    pool !== systemPool() && reserved !== undefined && reserved.state !== 'reserved' ? 1 : 0;
  return p.size - freeCount(w, pool) + extra;
}

function noteTouch(w: World, f: number, what: string): void {
  if (w.frames[f]?.state === 'free') w.log.obs.push({ k: 'touch-free', f, what });
}

export function readFrame(w: World, f: number, what: string): Content {
  noteTouch(w, f, what);
  const fr = w.frames[f];
  if (fr === undefined || fr.state === 'dummy') return null;
  return fr.data;
}

/** The next write's number (Content.s). */
export function writeStamp(w: World): number {
  w.writes += 1;
  return w.writes;
}

export function writeFrame(w: World, f: number, data: Content, what: string): void {
  noteTouch(w, f, what);
  const fr = w.frames[f];
  if (fr === undefined || fr.state === 'dummy') return;
  fr.data = data;
  if (fr.state === 'garbage') fr.state = 'used';
}

/** The owner uid of garbage: no object's. */
export const GARBAGE_OWNER = -1;

/** What a frame holds after its device lost VRAM: nobody's data. */
export const GARBAGE: Content = { v: -1, o: GARBAGE_OWNER, p: -1, s: -1 };

export function isGarbage(w: World, f: number): boolean {
  return w.frames[f]?.state === 'garbage';
}

/** The copy engine / CPU copy of one frame into another; garbage copies as garbage. */
export function copyFrame(w: World, from: number, to: number, what: string): void {
  writeFrame(w, to, readFrame(w, from, what), what);
  const src = w.frames[from];
  const dst = w.frames[to];
  if (src?.state === 'garbage' && dst) dst.state = 'garbage';
}

export function touch(w: World, f: number, what: string): void {
  noteTouch(w, f, what);
}

export function isDeviceFrame(w: World, f: number): boolean {
  return w.frames[f]?.kind === 'vram';
}
