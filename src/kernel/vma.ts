/**
 * Changing a range of the address space under the subscribers [mm/vma.c unmap_region,
 * mm/mprotect.c change_protection, mm/madvise.c madvise_dontneed_single_vma]:
 *
 *   lock        mmap_lock for write (the model serialises MADV_DONTNEED the same way)
 *   invalidate  invalidate_range_start with the operation's event — MMU_NOTIFY_UNMAP for munmap,
 *               MMU_NOTIFY_PROTECTION_VMA for mprotect, MMU_NOTIFY_CLEAR for MADV_DONTNEED —
 *               and each subscriber's invalidate()
 *   commit      change the PTEs, flush, invalidate_range_end, unlock
 */
import type { AnonObj, Proc, Wait, World } from '../world/types.js';
import { mmapWriteWait } from './locks.js';
import {
  type InvEvent,
  type InvState,
  invalidateEnd,
  invalidateStart,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from './notifier.js';

export interface VmaChange {
  readonly obj: string;
  readonly uid: number;
  readonly pages: readonly number[];
  stage: 'lock' | 'invalidate' | 'commit';
  inv: InvState;
}

export function newVmaChange(
  obj: string,
  uid: number,
  pages: readonly number[],
  event: InvEvent,
): VmaChange {
  return {
    obj,
    uid,
    pages: [...pages],
    stage: 'lock',
    inv: newInvalidation(obj, true, event, null, pages),
  };
}

/** One step; `commit` runs with the invalidation open and ends it. 'done' when it has. */
export function planVmaChange(
  w: World,
  p: Proc,
  o: AnonObj,
  c: VmaChange,
  commit: () => void,
): Wait | (() => 'progress' | 'done') {
  switch (c.stage) {
    case 'lock': {
      const wait = mmapWriteWait(o, p.pid);
      if (wait) return wait;
      return () => {
        o.mmap.writer = p.pid;
        invalidateStart(w, c.inv, p.pid);
        c.stage = subscribersLeft(c.inv) ? 'invalidate' : 'commit';
        return 'progress';
      };
    }
    case 'invalidate': {
      const call = planCallSubscriber(w, p, c.inv);
      if (typeof call !== 'function') return call;
      return () => {
        call();
        if (!subscribersLeft(c.inv)) c.stage = 'commit';
        return 'progress';
      };
    }
    case 'commit':
      return () => {
        commit();
        invalidateEnd(w, c.inv);
        o.mmap.writer = null;
        return 'done';
      };
  }
}
