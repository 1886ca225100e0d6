/**
 * An HMM mirror (or ODP MR) faulting a bo's device VMA: the hmm.rst pattern around
 * hmm_range_fault, which for a VMA with p2p vm_ops calls the exporter's p2p_map for the
 * importer's device (the LKML thread "[RFC PATCH 3/5] mm/vma: add support for peer to peer to
 * device vma", January 2019):
 *
 *   begin    seq = read_begin (sleeps while an invalidation covers the subscription)
 *   place    p2p_map under the bo's reservation lock (vma-map.ts): policy, placement, BAR
 *            window pages for a VRAM map (none free: system memory, the importer's fallback)
 *   lock     the mirror's driver lock
 *   program  read_retry: changed → p2p_unmap and start again; else program the device PTEs
 *
 * The map covers the whole VMA. Its window pages go back at p2p_unmap: in the mirror's
 * invalidate() when the exporter zaps the VMA, at imp.unmap and at imp.detach.
 */
import type { Errno } from '../world/errno.js';
import { emit } from '../world/log.js';
import type { BoObj, DevPte, Proc, Wait, World } from '../world/types.js';
import { driverLock, lockBusy, tryLock, unlock } from './locks.js';
import { readBegin, readBeginWait, readRetry } from './notifier.js';
import { objOf } from './objects.js';
import { recordVmaMap, vmaPages, vmaTarget, windowAvailable } from './p2p.js';
import { newVmaPlace, planVmaPlace, type VmaPlaceState } from './vma-map.js';

export interface VmaFaultState {
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  stage: 'begin' | 'place' | 'lock' | 'program';
  seq: number;
  /** The subscription read_begin was called on (its attach order), or null before. */
  sub: number | null;
  place: VmaPlaceState | null;
  pages: number[];
  view: DevPte[];
  /** The window pages of the map the view came from (the map must still be there at program). */
  slots: number[];
}

export function newVmaFault(importer: string, bo: BoObj): VmaFaultState {
  return {
    importer,
    obj: bo.name,
    uid: bo.uid,
    stage: 'begin',
    seq: -1,
    sub: null,
    place: null,
    pages: [],
    view: [],
    slots: [],
  };
}

export function vmaFaultPhase(m: VmaFaultState): 'fault' | 'commit' {
  return m.stage === 'begin' || m.stage === 'place' ? 'fault' : 'commit';
}

export type VmaFaultStep = 'progress' | 'mapped' | Errno;

function takeView(w: World, m: VmaFaultState, bo: BoObj): void {
  m.slots = [...(w.importers[m.importer]?.objs[m.obj]?.vma?.slots ?? [])];
  m.pages = bo.vma ? vmaPages(bo.vma) : [];
  m.view = m.pages.map((i) => {
    const f = bo.frames[i] ?? w.dummyFrame;
    emit(w, { type: 'devpt.view', importer: m.importer, obj: bo.key, page: i });
    return { f, tag: w.frames[f]?.tag ?? 0, write: true };
  });
}

/** p2p_map's policy for this mirror, with the importer's fallback when the BAR window is full. */
function placement(w: World, m: VmaFaultState) {
  return {
    target(bo: BoObj) {
      const to = vmaTarget(w, m.importer, bo);
      const n = bo.vma?.pages ?? 0;
      if (to !== 'vram' || bo.placement !== 'vram' || windowAvailable(w, bo.device, n)) return to;
      const systemOk = bo.domains.includes('system') || w.devices[bo.device]?.frozen === true;
      return systemOk ? ('system' as const) : ('ENOSPC' as const);
    },
    finish(bo: BoObj): 'done' | Errno {
      const io = w.importers[m.importer]?.objs[m.obj];
      // Detached (or munmapped) meanwhile: no notifier would take a map back, so none is made.
      if (!io?.sub || !bo.vma) return 'EFAULT';
      // Detached and attached again: the sequence read_begin returned is the old subscription's,
      // and a map recorded now would belong to a subscription this fault never read. (The new
      // one may be deferred, so no zap would reach the map.)
      if (io.sub.order !== m.sub) return 'EINVAL';
      if (bo.placement === 'vram' && !windowAvailable(w, bo.device, bo.vma.pages)) return 'ENOSPC';
      // Another fault of this mirror mapped meanwhile: its map is valid (a zap would have
      // taken it back), use it.
      if (!io.vma) recordVmaMap(w, m.importer, io, bo, vmaPages(bo.vma));
      takeView(w, m, bo);
      return 'done';
    },
  };
}

export function planVmaFault(w: World, p: Proc, m: VmaFaultState): Wait | (() => VmaFaultStep) {
  const bo = objOf(w, m.obj, m.uid);
  const io = w.importers[m.importer]?.objs[m.obj];
  const dl = driverLock(m.importer);
  if (m.stage === 'place' && m.place) {
    const step = planVmaPlace(w, p, m.place, placement(w, m));
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === 'progress') return 'progress';
      m.place = null;
      if (r !== 'done') return r;
      m.stage = 'lock';
      return 'progress';
    };
  }
  if (bo?.kind !== 'bo' || !bo.vma || !io?.sub) {
    // munmapped (or the bo released) under us: nothing to fault from.
    return () => {
      unlock(w, dl, p.pid);
      return 'EFAULT';
    };
  }
  if (m.stage !== 'begin' && io.sub.order !== m.sub) {
    // The subscription was replaced (detach, attach) since read_begin: as hmm.ts, EINVAL.
    return () => {
      unlock(w, dl, p.pid);
      return 'EINVAL';
    };
  }
  switch (m.stage) {
    case 'begin':
    case 'place': {
      if (w.devices[bo.device]?.gone) return () => 'ENODEV';
      const wait = readBeginWait(w, m.importer, m.obj);
      if (wait) return wait;
      return () => {
        emit(w, { type: 'sub.read_begin', importer: m.importer, obj: bo.key });
        m.seq = readBegin(w, m.importer, m.obj);
        m.sub = io.sub?.order ?? null;
        if (io.vma && !io.vma.pinned) {
          // The map the exporter gave is still valid (a zap would have taken it back).
          takeView(w, m, bo);
          m.stage = 'lock';
        } else {
          m.place = newVmaPlace(bo);
          m.stage = 'place';
        }
        return 'progress';
      };
    }
    case 'lock': {
      const busy = lockBusy(w, dl, p.pid);
      if (busy) return busy;
      return () => {
        tryLock(w, dl, p.pid);
        m.stage = 'program';
        return 'progress';
      };
    }
    case 'program':
      return () => {
        const changed = readRetry(w, m.importer, m.obj, m.seq);
        emit(w, { type: 'sub.read_retry', importer: m.importer, obj: bo.key, changed });
        // The p2p map the view came from was given back meanwhile (imp.unmap): map again.
        const gone = !io.vma || io.vma.slots.join() !== m.slots.join();
        if (changed || gone) {
          // An invalidation took the map back already (p2p_unmap in invalidate()); a map still
          // held is valid and may be in use by another fault of this mirror.
          unlock(w, dl, p.pid);
          m.stage = 'begin';
          return 'progress';
        }
        m.pages.forEach((page, k) => {
          const e = m.view[k];
          if (!e) return;
          io.pt[page] = e;
          emit(w, {
            type: 'devpt.set',
            importer: m.importer,
            obj: bo.key,
            page,
            device: null,
            write: true,
          });
        });
        unlock(w, dl, p.pid);
        return 'mapped';
      };
  }
}
