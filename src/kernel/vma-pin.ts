/**
 * p2p_map with the pin flag, for an importer that will not answer mmu notifiers (gup
 * FOLL_LONGTERM, VFIO without SVA). As Jason Gunthorpe asked and Jérôme Glisse agreed on LKML
 * ("[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma", January 2019), the GPU
 * may refuse it (EPERM), or accept it by moving the object to main memory and pinning it there —
 * "no longer really p2p but at least both device look at the same data". It never pins VRAM for
 * it. The choice is the device's `pinFlag` policy.
 */
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, Wait, World } from '../world/types.js';
import { takePinFlag, vmaPages } from './p2p.js';
import { newVmaPlace, planVmaPlace, type VmaPlaceState } from './vma-map.js';

export interface PinFlagState {
  readonly importer: string;
  readonly obj: string;
  place: VmaPlaceState;
}

export function newPinFlag(importer: string, bo: BoObj): PinFlagState {
  return { importer, obj: bo.name, place: newVmaPlace(bo) };
}

export function pinFlagPhase(s: PinFlagState): 'fault' | 'pin' {
  return s.place.stage === 'move' ? 'fault' : 'pin';
}

export function planPinFlag(
  w: World,
  p: Proc,
  s: PinFlagState,
): Wait | (() => 'progress' | 'pinned' | Errno) {
  const step = planVmaPlace(w, p, s.place, {
    pins: true,
    target(bo) {
      const policy = w.config.devices.find((d) => d.id === bo.device)?.pinFlag;
      if (policy === 'refuse') return 'EPERM';
      // The fault: the exporter pins the bo where it is, VRAM included.
      if (w.faults['pin-flag-pins-vram']) return bo.placement;
      const systemOk = bo.domains.includes('system') || w.devices[bo.device]?.frozen === true;
      return systemOk ? 'system' : 'EPERM';
    },
    finish(bo) {
      const io = w.importers[s.importer]?.objs[s.obj];
      if (!io || !bo.vma) return 'EFAULT';
      if (io.pin) return 'EALREADY';
      takePinFlag(w, s.importer, io, bo, vmaPages(bo.vma));
      return 'done';
    },
  });
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    return r === 'done' ? 'pinned' : r;
  };
}
