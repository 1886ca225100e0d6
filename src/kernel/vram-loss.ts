/**
 * Losing a device's VRAM: a reset that loses it (dev.reset with vramLost) or surprise removal
 * (dev.unplug with surprise). destroyVram wipes the content (frames become garbage) and fails the
 * DMA in flight on it; reportVramLoss, in one atomic step, invalidates every importer mapping of
 * the lost frames (model policy, following the LKML thread "[RFC PATCH 3/5] mm/vma: add support
 * for peer to peer to device vma", January 2019: no importer silently reads
 * garbage) and marks every page whose data was there lost.
 */
import { GARBAGE, isGarbage } from '../world/frames.js';
import { emit, observe } from '../world/log.js';
import type { World } from '../world/types.js';
import { deviceFrames, onDevice } from './device.js';
import { markAnonLost, markBoLost } from './loss.js';
import { keyOf } from './objects.js';
import { pageLife, pinLife } from './pages.js';

/** The VRAM's content is gone; DMA in flight on it will complete with an error. */
export function destroyVram(w: World, device: string): void {
  for (const f of deviceFrames(w, device)) {
    const fr = w.frames[f];
    if (fr && fr.state === 'used') {
      fr.state = 'garbage';
      fr.data = GARBAGE;
    }
  }
  // DMA in flight on the lost VRAM (a peer's, through the BAR) fails: it would otherwise
  // complete on garbage that no loss report covers.
  for (const x of w.dma) if (onDevice(w, x.f, device)) x.failed = true;
}

/** A pin's earlier life of a page whose data was lost (see Pin.lost). */
interface StaleLoss {
  readonly importer: string;
  readonly obj: string;
  readonly page: number;
  readonly gen: number;
}

/**
 * The pages whose data was in the lost frames, per object name; losses of pins' earlier lives of
 * pages go to `stale`.
 */
function lostPages(
  w: World,
  lost: ReadonlySet<number>,
  stale?: StaleLoss[],
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const o of Object.values(w.objects)) {
    let pages: number[];
    if (o.kind === 'anon') {
      pages = o.page
        .map((pg, i) => {
          const pte = pg.pte;
          return (pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'migration') &&
            lost.has(pte.f)
            ? i
            : -1;
        })
        .filter((i) => i >= 0);
    } else {
      // While a move's copy is pending the data is still in the old frames.
      const data = o.fence && !o.fence.signalled ? o.fence.src : o.frames;
      pages = data.map((f, i) => (lost.has(f) ? i : -1)).filter((i) => i >= 0);
    }
    if (pages.length > 0) out.set(o.name, pages);
  }
  // A pinned page of a destroyed or unmapped range is reached only through its pin.
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) {
      const pin = io.pin;
      const o = w.objects[io.obj];
      if (!pin || o?.kind !== 'anon') continue;
      pin.frames.forEach((f, k) => {
        const page = pin.pages[k];
        if (page === undefined || !lost.has(f)) return;
        const pg = o.page[page];
        // The pin holds an earlier life of the page (the process dropped or copied it since):
        // that life lost its data, recorded on the pin. The page itself is reported lost only
        // when nothing has replaced it (munmapped or destroyed): a new life did not lose anything.
        if (pg && pinLife(pin, k) !== pageLife(pg)) {
          stale?.push({ importer: imp.id, obj: io.obj, page, gen: pinLife(pin, k) });
          if (pg.prot !== 'none') return;
        }
        const list = out.get(io.obj) ?? [];
        if (!list.includes(page)) list.push(page);
        out.set(io.obj, list);
      });
    }
  }
  return out;
}

/**
 * Invalidate every importer mapping of the lost frames, and every mapping of a page whose data
 * was lost (a mapping of a bo's new placement, taken while its copy was pending, included).
 */
function invalidateLost(
  w: World,
  lost: ReadonlySet<number>,
  pages: ReadonlyMap<string, number[]>,
): void {
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) {
      const key = keyOf(w, io.obj);
      const lostHere = pages.get(io.obj) ?? [];
      let hit = false;
      io.pt.forEach((e, page) => {
        if (e && (lost.has(e.f) || lostHere.includes(page))) {
          io.pt[page] = null;
          hit = true;
          emit(w, { type: 'devpt.zap', importer: imp.id, obj: key, page });
        }
      });
      if (hit && io.att) {
        io.att.sg = null;
        io.att.invalidated = true;
        emit(w, { type: 'att.invalidate', importer: imp.id, obj: key });
      }
    }
  }
}

/** Report the loss of every page whose content was in the lost frames. */
function reportLoss(w: World, pages: ReadonlyMap<string, number[]>): void {
  for (const [name, list] of pages) {
    const o = w.objects[name];
    if (o?.kind === 'anon') for (const i of list) markAnonLost(w, o, i, true);
    else if (o?.kind === 'bo') markBoLost(w, o, list, true);
  }
}

/**
 * Report the loss of the device's destroyed VRAM: invalidate the importer mappings of it (unless
 * `invalidate` is false: the reset-no-invalidate fault), mark the pages whose data was there lost.
 */
export function reportVramLoss(w: World, device: string, invalidate: boolean): void {
  const lost = new Set(deviceFrames(w, device).filter((f) => isGarbage(w, f)));
  const stale: StaleLoss[] = [];
  const pages = lostPages(w, lost, stale);
  if (invalidate) invalidateLost(w, lost, pages);
  reportLoss(w, pages);
  for (const x of stale) {
    const io = w.importers[x.importer]?.objs[x.obj];
    const pin = io?.pin;
    if (!io || !pin || pin.lost?.includes(x.page)) continue;
    io.pin = { ...pin, lost: [...(pin.lost ?? []), x.page] };
    observe(w, { k: 'lost', obj: x.obj, page: x.page, gen: x.gen });
  }
  observe(w, { k: 'loss-reported', device, frames: [...lost] });
}
