/**
 * zap_vma_ptes on a bo's device VMA [mm/memory.c: zap_vma_ptes → zap_page_range_single, which
 * brackets the unmap with mmu_notifier_invalidate_range_start/_end, MMU_NOTIFY_CLEAR]. As Jérôme
 * Glisse answered Jason Gunthorpe on LKML ("[RFC PATCH 3/5] mm/vma: add support for peer to peer
 * to device vma", January 2019), the zap "invokes enough notifiers" that HMM mirrors and ODP
 * importers release their p2p maps through the path of any other invalidation:
 *
 *   start   invalidate_range_start on the bo (the subscribers are captured)
 *   call    one subscriber's invalidate() per step: zap its device PTEs, p2p_unmap (its BAR
 *           window pages go back), after its in-flight DMA
 *   end     clear the VMA's CPU PTEs; invalidate_range_end
 *
 * Importers that answer no notifier (a pin-flag pin) are not reached: their bo is pinned.
 */
import { emit } from '../world/log.js';
import type { BoObj, Proc, Wait, World } from '../world/types.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from './notifier.js';
import { objOf } from './objects.js';
import { reclaimWindowsEarly } from './p2p.js';

export interface VmaZapState {
  readonly obj: string;
  readonly uid: number;
  /** MMU_NOTIFY_CLEAR for zap_vma_ptes, MMU_NOTIFY_UNMAP for munmap. */
  readonly event: 'clear' | 'unmap';
  /** False only under the move-without-zap fault: the PTEs are cleared, nobody is notified. */
  readonly notify: boolean;
  inv: InvState | null;
}

export function newVmaZap(
  bo: BoObj,
  event: 'clear' | 'unmap' = 'clear',
  notify = true,
): VmaZapState {
  return { obj: bo.name, uid: bo.uid, event, notify, inv: null };
}

/** The VMA's CPU PTEs are cleared (if it is still there) and the invalidation ends. */
function finish(w: World, bo: BoObj | undefined, inv: InvState): void {
  if (bo?.vma) {
    bo.cpu = bo.cpu.map(() => null);
    emit(w, { type: 'vma.zap', obj: bo.key });
  }
  invalidateEnd(w, inv);
}

/**
 * One step of the zap: a wait, or a step returning true once the zap is over. A bo without a VMA
 * needs none: the first step says so. A zap once started calls every subscriber it captured and
 * ends its invalidation, whatever happens to the VMA meanwhile (a concurrent munmap).
 */
export function planVmaZap(w: World, p: Proc, z: VmaZapState): Wait | (() => boolean) {
  const o = objOf(w, z.obj, z.uid);
  const bo = o?.kind === 'bo' ? o : undefined;
  const inv = z.inv;
  if (!inv) {
    if (!bo?.vma) return () => true;
    if (!z.notify) {
      // The driver clears its CPU PTEs itself: no mmu notifier reaches the mirrors.
      return () => {
        bo.cpu = bo.cpu.map(() => null);
        emit(w, { type: 'vma.zap', obj: bo.key });
        return true;
      };
    }
    return () => {
      const started = newInvalidation(bo.name, true, z.event);
      invalidateStart(w, started, p.pid);
      z.inv = started;
      if (w.faults['p2p-window-reused-before-unmap']) reclaimWindowsEarly(w, bo);
      if (subscribersLeft(started)) return false;
      finish(w, bo, started);
      return true;
    };
  }
  if (subscribersLeft(inv)) {
    const call = planCallSubscriber(w, p, inv);
    if (typeof call !== 'function') return call;
    return () => {
      call();
      return false;
    };
  }
  return () => {
    finish(w, bo, inv);
    return true;
  };
}

/** Whether the bo has a VMA that a zap must clear before the bo moves. */
export function needsZap(bo: BoObj): boolean {
  return bo.vma !== undefined && bo.vma !== null;
}

/** The zap a move makes (the move-without-zap fault notifies nobody). */
export function moveZap(w: World, bo: BoObj): VmaZapState {
  return newVmaZap(bo, 'clear', !w.faults['move-without-zap']);
}

/** A device event that zaps the VMAs of its bos one after another (reset's VRAM loss, unplug). */
export interface VmaZaps {
  /** The zap under way. */
  zap?: VmaZapState | null;
  /** The bos whose VMA was zapped already. */
  zapped?: string[];
}

/** One step of the zap under way, if any; when it is over its bo counts as zapped. */
export function planEventZap(w: World, p: Proc, s: VmaZaps): Wait | (() => void) | null {
  const z = s.zap;
  if (!z) return null;
  const step = planVmaZap(w, p, z);
  if (typeof step !== 'function') return step;
  return () => {
    if (step()) {
      s.zap = null;
      s.zapped = [...(s.zapped ?? []), z.obj];
    }
  };
}
