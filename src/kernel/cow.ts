/**
 * Write faults on write-protected anon pages [mm/memory.c do_wp_page] and the unshare a
 * read-only FOLL_PIN needs [mm/internal.h gup_must_unshare]:
 *
 *   reuse    the page is the process's alone (PageAnonExclusive, or nobody else maps or holds
 *            it: refcount 1): make the PTE writable in place. No notifier.
 *   copy     otherwise (wp_page_copy): a fresh system frame (direct reclaim if RAM is full),
 *            invalidate_start (MMU_NOTIFY_CLEAR, this process's range only), each subscriber's
 *            invalidate(), then under the PTL — if the PTE is still the one faulted on — copy,
 *            install the copy (writable for a write, read-only for an unshare), flush, let the
 *            old frame go (the other process keeps it), invalidate_end.
 *
 * The gup-cow-wrong-direction fault restores the rules before 5.8/5.9: reuse is decided by the
 * mapcount alone and a short-term read-only pin never unshares, so a child's read pin can keep
 * the page the parent then writes in place (CVE-2020-29374).
 */
import type { Errno } from '../world/errno.js';
import {
  allocFrame,
  copyFrame,
  freeCount,
  getRef,
  putRef,
  releaseFrame,
  systemPool,
} from '../world/frames.js';
import { emit, observe } from '../world/log.js';
import type { AnonObj, Proc, Wait, World } from '../world/types.js';
import { memoryGone, memoryWait } from './engine.js';
import { mmapRead, mmapReadUnlock, mmapReadWait } from './locks.js';
import { carryLossToPins } from './loss.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  NO_INVALIDATION,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from './notifier.js';
import { flushTlb, pageLife, setAnonExclusive, setPte } from './pages.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from './reclaim.js';

export interface CowState {
  stage: 'idle' | 'invalidate' | 'copy';
  /** The page being copied, and the frame it was copied from (checked again under the PTL). */
  page: number;
  from: number;
  unshare: boolean;
  inv: InvState;
  dr: DirectReclaim;
}

export function newCow(): CowState {
  return {
    stage: 'idle',
    page: -1,
    from: -1,
    unshare: false,
    inv: NO_INVALIDATION,
    dr: newDirectReclaim(),
  };
}

/** A copy under way, or the direct reclaim for its frame (either must finish first). */
export function cowUnderWay(c: CowState): boolean {
  return c.stage !== 'idle' || c.dr.r !== null;
}

/** May a write fault make this frame writable in place (wp_can_reuse_anon_folio)? */
function reusable(w: World, f: number): boolean {
  const fr = w.frames[f];
  if (!fr) return false;
  if (w.faults['gup-cow-wrong-direction']) return fr.maps === 1;
  return fr.anonExclusive || (fr.maps === 1 && fr.pins === 0 && fr.refs === 0);
}

/**
 * What a write to o's page needs first: nothing, a reuse in place, or a copy. A shared mapping
 * never copies (wp_page_shared makes the PTE writable in place).
 */
export function writeNeed(w: World, o: AnonObj, page: number): 'none' | 'reuse' | 'copy' {
  const pte = o.page[page]?.pte;
  if (pte?.t !== 'present' || pte.write) return 'none';
  return o.shared || reusable(w, pte.f) ? 'reuse' : 'copy';
}

/**
 * What a read-only FOLL_PIN needs first (gup_must_unshare): a page not exclusive to the process
 * is marked exclusive in place when nobody else holds it, else copied. The
 * gup-cow-wrong-direction fault skips it for short-term pins (O_DIRECT, vmsplice).
 */
export function unshareNeed(
  w: World,
  o: AnonObj,
  page: number,
  longterm: boolean,
): 'none' | 'reuse' | 'copy' {
  const pte = o.page[page]?.pte;
  // shmem pages are not anon: gup_must_unshare leaves them alone.
  if (pte?.t !== 'present' || o.shared) return 'none';
  if (w.faults['gup-cow-wrong-direction'] && !longterm) return 'none';
  const fr = w.frames[pte.f];
  if (!fr || fr.anonExclusive) return 'none';
  return fr.maps === 1 && fr.pins === 0 && fr.refs === 0 ? 'reuse' : 'copy';
}

/** wp_page_reuse (or an unshare that finds the page exclusive): one atomic step. */
export function reuse(w: World, o: AnonObj, page: number, unshare: boolean): void {
  const pg = o.page[page];
  const pte = pg?.pte;
  if (!pg || pte?.t !== 'present') return;
  if (!o.shared) setAnonExclusive(w, pte.f, true);
  if (unshare) return;
  setPte(w, pg, { ...pte, write: pg.prot === 'rw', dirty: true });
  emit(w, { type: 'page.reuse', obj: o.key, page });
}

/**
 * Plan one step of copying `page` for the process (a write fault's wp_page_copy, or an unshare):
 * 'progress' while under way, 'done' when the copy is installed or no longer needed (the caller
 * looks at the page again), an errno when it failed.
 */
export function planCowCopy(
  w: World,
  p: Proc,
  o: AnonObj,
  page: number,
  unshare: boolean,
  c: CowState,
): Wait | (() => 'progress' | 'done' | Errno) {
  switch (c.stage) {
    case 'idle': {
      // The direct reclaim for the copy's frame, under way, finishes first.
      const reclaiming = reclaimUnderWay(w, p, c.dr);
      if (reclaiming) return reclaiming;
      const pte = o.page[page]?.pte;
      if (pte?.t !== 'present') return () => 'done';
      if (memoryGone(w, pte.f)) return () => 'EFAULT';
      // Device-coherent memory of a device being reset is garbage until it recovers (and
      // reports the loss): the copy waits, as CPU access does.
      const mem = memoryWait(w, pte.f);
      if (mem) return mem;
      const reclaim = planDirectReclaim(w, p, 1, c.dr);
      if (reclaim) return reclaim;
      // The fault holds mmap_lock for read: munmap, mprotect and fork wait for it.
      const mw = mmapReadWait(o, p.pid);
      if (mw) return mw;
      return () => {
        mmapRead(o, p.pid);
        // do_wp_page holds a reference on the old page while it copies: an unshare racing it
        // finds the page held and copies too, instead of pinning the page being copied away.
        getRef(w, pte.f);
        p.holds.push(pte.f);
        c.page = page;
        c.from = pte.f;
        c.unshare = unshare;
        c.inv = newInvalidation(o.name, true, 'clear', null, [page]);
        invalidateStart(w, c.inv, p.pid);
        c.stage = subscribersLeft(c.inv) ? 'invalidate' : 'copy';
        return 'progress';
      };
    }
    case 'invalidate': {
      const call = planCallSubscriber(w, p, c.inv);
      if (typeof call !== 'function') return call;
      return () => {
        call();
        if (!subscribersLeft(c.inv)) c.stage = 'copy';
        return 'progress';
      };
    }
    case 'copy': {
      const mem = memoryWait(w, c.from);
      if (mem) return mem;
      return () => {
        const r = copyStep(w, o, c);
        c.stage = 'idle';
        invalidateEnd(w, c.inv);
        mmapReadUnlock(o, p.pid);
        letGoOfSource(w, p, c);
        return r;
      };
    }
  }
}

/** Drop the reference the copy held on the page it copied from. */
export function letGoOfSource(w: World, p: Proc, c: CowState): void {
  if (c.from < 0) return;
  putRef(w, c.from);
  const i = p.holds.indexOf(c.from);
  if (i >= 0) p.holds.splice(i, 1);
  c.from = -1;
}

function copyStep(w: World, o: AnonObj, c: CowState): 'done' | Errno {
  const pg = o.page[c.page];
  const pte = pg?.pte;
  // pte_same: something else changed the PTE meanwhile (another fault made it writable, a
  // migration or munmap replaced it); the fault looks at the page again.
  if (!pg || pte?.t !== 'present' || pte.f !== c.from || pte.write) return 'done';
  const f =
    freeCount(w, systemPool()) > 0
      ? allocFrame(w, systemPool(), { obj: o.name, page: c.page })
      : null;
  if (f === null) return 'ENOMEM';
  copyFrame(w, c.from, f, 'copy-on-write');
  flushTlb(pg);
  const write = !c.unshare && pg.prot === 'rw';
  setPte(w, pg, { t: 'present', f, dirty: pte.dirty || write, write });
  setAnonExclusive(w, f, true);
  releaseFrame(w, c.from);
  const from = pageLife(pg);
  carryLossToPins(w, o, c.page);
  pg.cows += 1;
  observe(w, { k: 'cow', obj: o.name, page: c.page, from, to: pageLife(pg) });
  emit(w, { type: 'page.cow', obj: o.key, page: c.page });
  return 'done';
}

/** The copy as one step of a fault that goes on after it (its 'done' is the fault's progress). */
export function cowFaultStep(
  w: World,
  p: Proc,
  o: AnonObj,
  page: number,
  unshare: boolean,
  c: CowState,
): Wait | (() => 'progress' | Errno) {
  const step = planCowCopy(w, p, o, page, unshare, c);
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    return r === 'done' ? 'progress' : r;
  };
}
