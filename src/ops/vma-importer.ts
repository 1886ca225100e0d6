/**
 * Importers that reach a bo through its device VMA (p2p.md): a mirror's map (hmm_range_fault
 * → p2p_map), a pin-flag pin (gup FOLL_LONGTERM imp.pin, vfio imp.map), their unmap and unpin.
 */
import { done, failed, type Outcome, type Plan, PROGRESS } from '../exec/op.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import { objOf } from '../kernel/objects.js';
import { releasePinFlag } from '../kernel/p2p.js';
import { planVmaFault, type VmaFaultState } from '../kernel/vma-fault.js';
import { type PinFlagState, planPinFlag } from '../kernel/vma-pin.js';
import type { Errno } from '../world/errno.js';
import type { Proc, Wait, World } from '../world/types.js';
import { importerObj, tidyImporterObj } from './args.js';

/**
 * A mirror's map as an operation step, through hmm_range_fault or the device VMA: the importer
 * has the object mapped once the map is.
 */
export function mirrorMapOp(
  w: World,
  step: Wait | (() => 'progress' | 'mapped' | Errno),
  m: { readonly importer: string; readonly obj: string },
): Plan {
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    if (r === 'progress') return PROGRESS;
    if (r !== 'mapped') return failed(r);
    const io = w.importers[m.importer]?.objs[m.obj];
    if (io) io.mapped = true;
    return done();
  };
}

export function planVmaImporterMap(
  w: World,
  p: Proc,
  s: { readonly kind: 'vma'; m: VmaFaultState } | { readonly kind: 'vfio'; m: PinFlagState },
): Plan {
  if (s.kind === 'vma') return mirrorMapOp(w, planVmaFault(w, p, s.m), s.m);
  return planPinFlagOp(w, p, s.m, true);
}

/** A pin-flag pin as an op: vfio's map (mapped) or gup's pin. */
export function planPinFlagOp(w: World, p: Proc, s: PinFlagState, map: boolean): Plan {
  const step = planPinFlag(w, p, s);
  if (typeof step !== 'function') return step;
  return () => {
    const bo = objOf(w, s.obj, s.place.uid);
    if (bo && !bo.destroyed) importerObj(w, s.importer, bo);
    const r = step();
    if (r === 'progress') return PROGRESS;
    if (r !== 'pinned') return failed(r);
    const io = w.importers[s.importer]?.objs[s.obj];
    if (io && map) io.mapped = true;
    return done();
  };
}

/** imp.unpin of gup, imp.unmap of vfio: the pin-flag pin goes, and the map with it. */
export function dropPinFlag(w: World, importer: string, obj: string): Outcome {
  releasePinFlag(w, importer, obj);
  const io = w.importers[importer]?.objs[obj];
  if (io) {
    io.vma = null;
    io.mapped = false;
  }
  tidyImporterObj(w, importer, obj);
  maybeRelease(w, obj);
  return done();
}
