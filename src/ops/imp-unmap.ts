/**
 * imp.unmap: the importer drops its mapping. A mirror zaps its device PTEs under its driver
 * lock; a dma-buf importer unmaps its attachment under the reservation lock.
 */
import { defineOp, done } from '../exec/op.js';
import { driverLock, lockBusy, tryLock, unlock } from '../kernel/locks.js';
import { dmaWait, zapImporter } from '../kernel/notifier.js';
import { importerCfg, isErrno, tidyImporterObj, usedObj } from './args.js';
import { planDmabufUnmap } from './dmabuf-unmap.js';
import { dropPinFlag } from './vma-importer.js';

interface St {
  readonly importer: string;
  readonly obj: string;
  readonly kind: 'mirror' | 'dmabuf' | 'vfio';
}

export const impUnmap = defineOp<St>({
  name: 'imp.unmap',
  phases: ['unmap'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = usedObj(w, a, ic.id);
    if (isErrno(o)) return o;
    const io = w.importers[ic.id]?.objs[o.name];
    if (ic.kind === 'vfio' && o.kind === 'bo') {
      // VFIO_IOMMU_UNMAP_DMA: the pin-flag pin goes (a revoked map too).
      if (!io?.vma?.pinned) return 'ENOENT';
      return { pc: 'unmap', st: { importer: ic.id, obj: o.name, kind: 'vfio' } };
    }
    if (ic.kind !== 'mirror' && ic.kind !== 'dmabuf') return 'EINVAL';
    if (ic.kind === 'dmabuf' && o.kind !== 'bo') return 'EINVAL';
    if (!io?.mapped) return 'ENOENT';
    return { pc: 'unmap', st: { importer: ic.id, obj: o.name, kind: ic.kind } };
  },
  phaseOf: () => 'unmap',
  plan(w, p) {
    const { importer, obj, kind } = p.st;
    if (kind === 'dmabuf') return planDmabufUnmap(w, p, importer, obj);
    if (kind === 'vfio') {
      const wait = dmaWait(w, importer, obj);
      if (wait) return wait;
      return () => dropPinFlag(w, importer, obj);
    }
    const dl = driverLock(importer);
    const busy = lockBusy(w, dl, p.pid);
    if (busy) return busy;
    return () => {
      tryLock(w, dl, p.pid);
      zapImporter(w, importer, obj);
      const io = w.importers[importer]?.objs[obj];
      if (io) io.mapped = false;
      unlock(w, dl, p.pid);
      tidyImporterObj(w, importer, obj);
      return done();
    };
  },
});
