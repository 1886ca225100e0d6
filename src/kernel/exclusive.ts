/**
 * Device-exclusive access [mm/rmap.c make_device_exclusive, mm/memory.c
 * remove_device_exclusive_entry]: the CPU PTE is replaced by a device-exclusive entry so a device
 * can do atomics on a system page the CPU cannot touch meanwhile; the device works on the page in
 * its own cache (its atomic entry). A CPU access faults, invalidates the page for the
 * subscribers (MMU_NOTIFY_CLEAR; MMU_NOTIFY_EXCLUSIVE before the 2025 rework) — the device drops
 * its atomic entry and writes back what it holds — and restores a present PTE before it proceeds.
 *
 * The exclusive-not-restored fault restores the PTE without the invalidation: the device keeps
 * its entry and the CPU reads the frame without the device's writes.
 */
import { emit } from '../world/log.js';
import type { AnonObj, Proc, Wait, World } from '../world/types.js';
import { mmapRead, mmapReadUnlock, mmapReadWait } from './locks.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  NO_INVALIDATION,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from './notifier.js';
import { setPte } from './pages.js';

export interface RestoreState {
  stage: 'idle' | 'invalidate' | 'restore';
  page: number;
  inv: InvState;
}

export function newRestore(): RestoreState {
  return { stage: 'idle', page: -1, inv: NO_INVALIDATION };
}

/**
 * restore_exclusive_pte: a present PTE for the same frame, writable when the VMA is and the page
 * is still the process's alone.
 */
export function restoreEntry(w: World, o: AnonObj, page: number): void {
  const pg = o.page[page];
  const pte = pg?.pte;
  if (!pg || pte?.t !== 'exclusive') return;
  const write = pg.prot === 'rw' && w.frames[pte.f]?.anonExclusive === true;
  setPte(w, pg, { t: 'present', f: pte.f, dirty: pte.dirty, write });
  emit(w, { type: 'page.restore', obj: o.key, page });
}

/** Plan one step of taking `page` back from device-exclusive access; 'done' once restored. */
export function planRestore(
  w: World,
  p: Proc,
  o: AnonObj,
  page: number,
  r: RestoreState,
): Wait | (() => 'progress' | 'done') {
  switch (r.stage) {
    case 'idle': {
      const mw = mmapReadWait(o, p.pid);
      if (mw) return mw;
      return () => {
        if (o.page[page]?.pte.t !== 'exclusive') return 'done';
        if (w.faults['exclusive-not-restored']) {
          restoreEntry(w, o, page);
          return 'done';
        }
        mmapRead(o, p.pid);
        r.page = page;
        r.inv = newInvalidation(o.name, true, 'clear', null, [page]);
        invalidateStart(w, r.inv, p.pid);
        r.stage = subscribersLeft(r.inv) ? 'invalidate' : 'restore';
        return 'progress';
      };
    }
    case 'invalidate': {
      const call = planCallSubscriber(w, p, r.inv);
      if (typeof call !== 'function') return call;
      return () => {
        call();
        if (!subscribersLeft(r.inv)) r.stage = 'restore';
        return 'progress';
      };
    }
    case 'restore':
      return () => {
        restoreEntry(w, o, r.page);
        invalidateEnd(w, r.inv);
        mmapReadUnlock(o, p.pid);
        r.stage = 'idle';
        return 'done';
      };
  }
}

/**
 * Abandon a restore or copy under way. It holds mmap_lock for read, so the object cannot have
 * been unmapped under it; this only keeps the books straight if it ever is.
 */
export function abandonInvalidation(
  w: World,
  p: Proc,
  o: AnonObj | undefined,
  stage: string,
  inv: InvState,
): void {
  if (stage === 'idle') return;
  invalidateEnd(w, inv);
  if (o) mmapReadUnlock(o, p.pid);
}

/** Taking the entry back as one step of a fault that goes on after it. */
export function restoreFaultStep(
  w: World,
  p: Proc,
  o: AnonObj,
  page: number,
  r: RestoreState,
): Wait | (() => 'progress') {
  const step = planRestore(w, p, o, page, r);
  if (typeof step !== 'function') return step;
  return () => {
    step();
    return 'progress';
  };
}
