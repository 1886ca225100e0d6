/**
 * Reclaim of anonymous system pages [mm/vmscan.c shrink_folio_list → try_to_unmap]:
 *
 *   lock     lock the page, mmu_notifier_invalidate_range_start (MMU_NOTIFY_CLEAR)
 *   …        each subscriber's invalidate() (a non-blockable one refused: the core ends the
 *            invalidation, EAGAIN)
 *   commit   a dirty page (or one without a swap copy) is written to a swap slot, a clean page
 *            with a copy is dropped; the PTE becomes a swap entry, the TLB is flushed, the frame
 *            freed, invalidate_end
 *
 * mm.reclaim runs it on the page it names. An allocation that finds the system pool empty runs
 * it on victims it picks (direct reclaim), so memory pressure swaps pages out instead of failing
 * with ENOMEM; ENOMEM only when nothing can be reclaimed.
 */
import type { Errno } from '../world/errno.js';
import { freeCount, readFrame, releaseFrame, systemPool } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, AnonPage, Proc, Wait, World } from '../world/types.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from './notifier.js';
import { objOf } from './objects.js';
import { flushTlb, setPte } from './pages.js';
import { takeSlot, writableSlot } from './swap.js';

export interface ReclaimState {
  readonly obj: string;
  readonly uid: number;
  readonly page: number;
  stage: 'lock' | 'invalidate' | 'commit';
  inv: InvState;
}

export function newReclaim(
  obj: string,
  uid: number,
  page: number,
  blockable: boolean,
): ReclaimState {
  return {
    obj,
    uid,
    page,
    stage: 'lock',
    inv: newInvalidation(obj, blockable, 'clear', null, [page]),
  };
}

/** null: the reclaim goes on; 'done': the page was swapped out; an errno: it was not. */
export type ReclaimStep = null | 'done' | Errno;

/** Why this page cannot be reclaimed now, if it cannot (pid: the reclaimer's own page lock). */
export function reclaimRefusal(w: World, o: AnonObj, page: number, pid: number): Errno | null {
  const pg = o.page[page];
  if (!pg) return 'EINVAL';
  const pte = pg.pte;
  if (pte.t === 'migration') return 'EBUSY';
  if (pte.t !== 'present' || w.frames[pte.f]?.kind !== 'system') return 'EINVAL';
  const fr = w.frames[pte.f];
  if (!fr || fr.refs > 0) return 'EBUSY';
  if (fr.pins > 0 && !w.faults['reclaim-ignores-pin']) return 'EBUSY';
  if (pg.lockedBy !== null && pg.lockedBy !== pid) return 'EBUSY';
  // Shared copy-on-write with another process: the model reclaims only pages one process maps.
  if (fr.maps > 1) return 'EBUSY';
  // shmem pages go to swap through their page cache (shmem_writeout): not modelled.
  if (o.shared) return 'EBUSY';
  const needsSlot = pte.dirty || pg.swap === null;
  if (needsSlot && writableSlot(w, pg) === null) return 'EBUSY';
  return null;
}

function unlockPage(pg: AnonPage | undefined, pid: number): void {
  if (pg && pg.lockedBy === pid) pg.lockedBy = null;
}

function swapOut(w: World, o: AnonObj, r: ReclaimState, pid: number): ReclaimStep {
  const pg = o.page[r.page];
  const err = reclaimRefusal(w, o, r.page, pid);
  invalidateEnd(w, r.inv);
  unlockPage(pg, pid);
  if (!pg || err) return err ?? 'EINVAL';
  const pte = pg.pte;
  if (pte.t !== 'present') return 'EINVAL';
  if (pte.dirty || pg.swap === null) {
    const slot = writableSlot(w, pg);
    const sl = slot === null ? undefined : w.swap[slot];
    if (slot === null || !sl) return 'EBUSY';
    takeSlot(w, pg, slot);
    sl.data = readFrame(w, pte.f, 'swap-out');
  }
  flushTlb(pg);
  setPte(w, pg, { t: 'swap', slot: pg.swap ?? 0 });
  // A page the reclaim-ignores-pin fault swapped out under a pin: the pin keeps the frame.
  releaseFrame(w, pte.f);
  emit(w, { type: 'page.swap_out', obj: o.key, page: r.page });
  return 'done';
}

/** Plan one atomic step of a reclaim. */
export function planReclaim(w: World, p: Proc, r: ReclaimState): Wait | (() => ReclaimStep) {
  const o = objOf(w, r.obj, r.uid);
  if (o?.kind !== 'anon') {
    return () => {
      if (r.stage !== 'lock') invalidateEnd(w, r.inv);
      return 'ENOENT';
    };
  }
  switch (r.stage) {
    case 'lock':
      return () => {
        const err = reclaimRefusal(w, o, r.page, p.pid);
        if (err) return err;
        const pg = o.page[r.page];
        if (pg) pg.lockedBy = p.pid;
        invalidateStart(w, r.inv, p.pid);
        r.stage = subscribersLeft(r.inv) ? 'invalidate' : 'commit';
        return null;
      };
    case 'invalidate': {
      const call = planCallSubscriber(w, p, r.inv);
      if (typeof call !== 'function') return call;
      return () => {
        if (call() === 'refused') {
          unlockPage(o.page[r.page], p.pid);
          if (w.faults['eagain-calls-end']) invalidateEnd(w, r.inv);
          return 'EAGAIN';
        }
        if (!subscribersLeft(r.inv)) r.stage = 'commit';
        return null;
      };
    }
    case 'commit':
      return () => swapOut(w, o, r, p.pid);
  }
}

/** Direct reclaim on behalf of an allocation: the reclaim under way and how many were tried. */
export interface DirectReclaim {
  r: ReclaimState | null;
  tries: number;
}

export function newDirectReclaim(): DirectReclaim {
  return { r: null, tries: 0 };
}

/**
 * The page direct reclaim takes: the reclaimable anon page in the lowest system frame (the
 * model keeps no LRU), never one a process holds or has locked.
 */
export function pickVictim(
  w: World,
): { readonly obj: string; readonly uid: number; readonly page: number } | null {
  const pool = w.pools[systemPool()];
  if (!pool) return null;
  for (let f = pool.first; f < pool.first + pool.size; f++) {
    const fr = w.frames[f];
    if (fr?.state !== 'used' || fr.owner === null) continue;
    const o = w.objects[fr.owner.obj];
    if (o?.kind !== 'anon') continue;
    const pte = o.page[fr.owner.page]?.pte;
    if (pte?.t !== 'present' || pte.f !== f) continue;
    if (reclaimRefusal(w, o, fr.owner.page, -1) !== null) continue;
    if (w.procs.some((q) => q.holds.includes(f))) continue;
    return { obj: o.name, uid: o.uid, page: fr.owner.page };
  }
  return null;
}

/**
 * A direct reclaim under way always finishes first, whatever else the process would do next:
 * it holds a page lock and an active invalidation (which may make the process's own read_begin
 * wait), and abandoning it would leak both. Null when none is under way.
 */
export function reclaimUnderWay(
  w: World,
  p: Proc,
  dr: DirectReclaim,
): Wait | (() => 'progress') | null {
  const r = dr.r;
  if (r === null) return null;
  const step = planReclaim(w, p, r);
  if (typeof step !== 'function') return step;
  return () => {
    if (step() !== null) {
      dr.r = null;
      dr.tries += 1;
    }
    return 'progress';
  };
}

/**
 * Before allocating `need` system frames: null when they are free now (the allocation goes
 * ahead); otherwise one step of direct reclaim — a wait, or an action that returns 'progress'
 * (a reclaim step was taken; plan again) or 'ENOMEM' (nothing left to reclaim). A reclaim whose
 * page became busy meanwhile is given up and another victim picked; each allocation tries a
 * bounded number of victims.
 */
export function planDirectReclaim(
  w: World,
  p: Proc,
  need: number,
  dr: DirectReclaim,
): Wait | (() => 'progress' | 'ENOMEM') | null {
  const after = (out: ReclaimStep): 'progress' => {
    if (out !== null) {
      dr.r = null;
      dr.tries += 1;
    }
    return 'progress';
  };
  if (dr.r !== null) {
    const step = planReclaim(w, p, dr.r);
    if (typeof step !== 'function') return step;
    return () => after(step());
  }
  if (freeCount(w, systemPool()) >= need) {
    dr.tries = 0;
    return null;
  }
  const victim = dr.tries <= need + 2 ? pickVictim(w) : null;
  if (!victim) {
    return () => {
      dr.tries = 0;
      return 'ENOMEM';
    };
  }
  const r = newReclaim(victim.obj, victim.uid, victim.page, true);
  const first = planReclaim(w, p, r);
  return () => {
    dr.r = r;
    return after(typeof first === 'function' ? first() : null);
  };
}
