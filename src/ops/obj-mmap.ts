/**
 * obj.mmap / obj.munmap: userspace maps a bo through a VMA of the device file, at an offset into
 * the object (drm_gem_mmap: one VMA maps at most one object; most objects are never mapped, as
 * Jérôme Glisse told Jason Gunthorpe in "[RFC PATCH 3/5] mm/vma: add support for peer to peer to
 * device vma", LKML, January 2019). The VMA carries the p2p vm_ops mirrors, gup and vfio reach
 * the bo through. munmap zaps it first (mmu notifiers, MMU_NOTIFY_UNMAP), then it goes; pins
 * taken through it stay until unpinned.
 */
import { defineOp, done, failed, failNow, PROGRESS } from '../exec/op.js';
import { newVmaZap, planVmaZap, type VmaZapState } from '../kernel/device-vma.js';
import { zapImporter } from '../kernel/notifier.js';
import { objOf } from '../kernel/objects.js';
import { emit } from '../world/log.js';
import type { BoObj, World } from '../world/types.js';
import { isErrno, liveObj, optInt } from './args.js';
import { deviceErrno } from './device-state.js';

interface MmapSt {
  readonly obj: string;
  readonly uid: number;
  readonly offset: number;
  readonly pages: number;
}

export const objMmap = defineOp<MmapSt>({
  name: 'obj.mmap',
  phases: ['mmap'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (o.kind !== 'bo') return 'EINVAL';
    const err = deviceErrno(w, o.device);
    if (err) return err;
    const offset = optInt(a, 'offset', 0);
    const pages = optInt(a, 'pages', o.pages - (offset ?? 0));
    if (offset === null || pages === null || offset < 0 || pages < 1 || offset + pages > o.pages)
      return 'EINVAL';
    if (o.vma) return 'EALREADY';
    return { pc: 'mmap', st: { obj: o.name, uid: o.uid, offset, pages } };
  },
  phaseOf: () => 'mmap',
  plan(w, p) {
    const s = p.st;
    const bo = objOf(w, s.obj, s.uid);
    if (bo?.kind !== 'bo' || bo.destroyed) return failNow('ENOENT');
    if (bo.vma) return failNow('EALREADY');
    return () => {
      bo.vma = { offset: s.offset, pages: s.pages };
      emit(w, { type: 'vma.mmap', obj: bo.key, offset: s.offset, pages: s.pages });
      return done();
    };
  },
});

interface MunmapSt {
  readonly obj: string;
  readonly uid: number;
  zap: VmaZapState;
}

/**
 * The VMA goes: its zap is done. A mirror's fault that got a p2p map after the zap called it
 * (its read_retry then fails) gives it back here: no map outlives the VMA.
 */
export function removeVma(w: World, bo: BoObj): void {
  for (const imp of Object.values(w.importers)) {
    const m = imp.objs[bo.name]?.vma;
    if (m && !m.pinned) zapImporter(w, imp.id, bo.name);
  }
  bo.vma = null;
  emit(w, { type: 'vma.munmap', obj: bo.key });
}

export const objMunmap = defineOp<MunmapSt>({
  name: 'obj.munmap',
  phases: ['zap'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (o.kind !== 'bo') return 'EINVAL';
    if (!o.vma) return 'ENOENT';
    return { pc: 'zap', st: { obj: o.name, uid: o.uid, zap: newVmaZap(o, 'unmap') } };
  },
  phaseOf: () => 'zap',
  plan(w, p) {
    const s = p.st;
    const bo = objOf(w, s.obj, s.uid);
    if (bo?.kind !== 'bo' || (!bo.vma && s.zap.inv === null)) return failNow('ENOENT');
    // A zap under way is finished (its invalidation ended) even if the VMA went meanwhile.
    const step = planVmaZap(w, p, s.zap);
    if (typeof step !== 'function') return step;
    return () => {
      if (!step()) return PROGRESS;
      if (!bo.vma) return failed('ENOENT');
      removeVma(w, bo);
      return done();
    };
  },
});
