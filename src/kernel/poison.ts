/**
 * Surprise removal of a device's memory, for the anon pages that lived in it: like
 * memory_failure on a page, each is unmapped through the notifiers (try_to_unmap: the mirrors
 * drop their entries) and its PTE becomes a hwpoison entry, so any later access gets SIGBUS
 * (EIO) and gup or hmm_range_fault get EFAULT. There is nothing to copy back: the data is gone.
 *
 *   start       mmu_notifier_invalidate_range_start (MMU_NOTIFY_CLEAR)
 *   invalidate  each subscriber's invalidate()
 *   poison      replace every PTE that points into the device's memory by a poison entry, let
 *               go of the frames (a pinned one stays with its pin until the unpin), flush the
 *               TLB, invalidate_end
 */
import { releaseFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, Proc, Wait, World } from '../world/types.js';
import { onDevice } from './device.js';
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

export interface PoisonState {
  readonly obj: string;
  readonly uid: number;
  readonly device: string;
  stage: 'start' | 'invalidate' | 'poison';
  inv: InvState;
}

export function newPoison(o: AnonObj, device: string): PoisonState {
  return {
    obj: o.name,
    uid: o.uid,
    device,
    stage: 'start',
    inv: newInvalidation(o.name, true, 'clear'),
  };
}

/** Plan one atomic step; the action returns true once the object's pages are poisoned. */
export function planPoison(w: World, p: Proc, s: PoisonState): Wait | (() => boolean) {
  const o = objOf(w, s.obj, s.uid);
  if (o?.kind !== 'anon') {
    return () => {
      if (s.stage !== 'start') invalidateEnd(w, s.inv);
      return true;
    };
  }
  switch (s.stage) {
    case 'start':
      return () => {
        invalidateStart(w, s.inv, p.pid);
        s.stage = subscribersLeft(s.inv) ? 'invalidate' : 'poison';
        return false;
      };
    case 'invalidate': {
      const call = planCallSubscriber(w, p, s.inv);
      if (typeof call !== 'function') return call;
      return () => {
        call();
        if (!subscribersLeft(s.inv)) s.stage = 'poison';
        return false;
      };
    }
    case 'poison':
      return () => {
        o.page.forEach((pg, page) => {
          const pte = pg.pte;
          if (pte.t !== 'present' && pte.t !== 'devpriv') return;
          if (!onDevice(w, pte.f, s.device)) return;
          flushTlb(pg);
          setPte(w, pg, { t: 'poison' });
          if (pg.lockedBy === p.pid) pg.lockedBy = null;
          releaseFrame(w, pte.f);
          emit(w, { type: 'page.poison', obj: o.key, page, device: s.device });
        });
        invalidateEnd(w, s.inv);
        return true;
      };
  }
}
