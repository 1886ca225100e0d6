/**
 * imp.map: a mirror faults the object's pages in and programs its device page table with the
 * hmm.rst pattern (phases fault, commit); a dma-buf importer gets an sg table from the
 * exporter (phases place, commit).
 */
import { defineOp } from '../exec/op.js';
import { type MirrorMapState, mirrorPhase, newMirrorMap, planMirrorMap } from '../kernel/hmm.js';
import { allPages } from '../kernel/pages.js';
import { newVmaFault, type VmaFaultState, vmaFaultPhase } from '../kernel/vma-fault.js';
import { newPinFlag, type PinFlagState, pinFlagPhase } from '../kernel/vma-pin.js';
import type { Proc } from '../world/types.js';
import { importerCfg, isErrno, liveObj, optBool } from './args.js';
import { deviceErrno } from './device-state.js';
import {
  type DmabufMapState,
  dmabufMapErrno,
  dmabufMapPhase,
  newDmabufMap,
  planDmabufMap,
} from './dmabuf-map.js';
import { mirrorMapOp, planVmaImporterMap } from './vma-importer.js';

type St =
  | { readonly kind: 'mirror'; m: MirrorMapState }
  | { readonly kind: 'dmabuf'; m: DmabufMapState }
  | { readonly kind: 'vma'; m: VmaFaultState }
  | { readonly kind: 'vfio'; m: PinFlagState };

export const impMap = defineOp<St>({
  name: 'imp.map',
  phases: ['fault', 'place', 'commit'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const io = w.importers[ic.id]?.objs[o.name];
    if (o.kind === 'bo' && (ic.kind === 'mirror' || ic.kind === 'vfio')) {
      // Through the bo's device VMA: hmm_range_fault → p2p_map, or VFIO_IOMMU_MAP_DMA with
      // the pin flag.
      const err = deviceErrno(w, o.device) ?? deviceErrno(w, ic.device);
      if (err) return err;
      if (ic.kind === 'mirror') {
        if (!io?.sub || !o.vma) return 'EINVAL';
        return { pc: 'run', st: { kind: 'vma', m: newVmaFault(ic.id, o) } };
      }
      if (!o.vma) return 'EINVAL';
      if (io?.pin || io?.vma) return 'EALREADY';
      return { pc: 'run', st: { kind: 'vfio', m: newPinFlag(ic.id, o) } };
    }
    if (ic.kind === 'mirror') {
      if (o.kind !== 'anon' || !io?.sub) return 'EINVAL';
      const err = deviceErrno(w, ic.device);
      if (err) return err;
      // HMM_PFN_REQ_WRITE unless `write: false` (a read-only mapping).
      const write = optBool(a, 'write', true);
      if (write === null) return 'EINVAL';
      const m = newMirrorMap(ic.id, o.name, o.uid, allPages(o.pages), write);
      return { pc: 'run', st: { kind: 'mirror', m } };
    }
    if (ic.kind === 'dmabuf') {
      if (o.kind !== 'bo' || !io?.att || a.write !== undefined) return 'EINVAL';
      const err = dmabufMapErrno(w, ic, o);
      if (err) return err;
      return { pc: 'run', st: { kind: 'dmabuf', m: newDmabufMap(ic.id, o) } };
    }
    return 'EINVAL';
  },
  phasesOf: (p) =>
    p.st.kind === 'dmabuf'
      ? ['place', 'commit']
      : p.st.kind === 'vfio'
        ? ['fault', 'pin']
        : ['fault', 'commit'],
  phaseOf: (w, p) => {
    const s = p.st;
    if (s.kind === 'vma') return vmaFaultPhase(s.m);
    if (s.kind === 'vfio') return pinFlagPhase(s.m);
    return s.kind === 'mirror' ? mirrorPhase(s.m) : dmabufMapPhase(w, s.m);
  },
  plan(w, p) {
    const s = p.st;
    if (s.kind === 'dmabuf') return planDmabufMap(w, p as Proc, s.m);
    if (s.kind === 'vma' || s.kind === 'vfio') return planVmaImporterMap(w, p, s);
    return mirrorMapOp(w, planMirrorMap(w, p, s.m), s.m);
  },
});
