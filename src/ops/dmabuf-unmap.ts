/** dma_buf_unmap_attachment under the reservation lock; a static importer unpins here. */
import { done, failNow, type Plan } from '../exec/op.js';
import { dropBoPin } from '../kernel/dmabuf.js';
import { lockBusy, resvLock, tryLock, unlock } from '../kernel/locks.js';
import { dmaWait, zapImporter } from '../kernel/notifier.js';
import { emit } from '../world/log.js';
import type { Proc, World } from '../world/types.js';
import { tidyImporterObj } from './args.js';

export function planDmabufUnmap(w: World, p: Proc, importer: string, obj: string): Plan {
  const bo = w.objects[obj];
  const att = w.importers[importer]?.objs[obj]?.att;
  if (bo?.kind !== 'bo' || !att || att.revoked || !w.importers[importer]?.objs[obj]?.mapped)
    return failNow('ENOENT');
  const busy = dmaWait(w, importer, obj) ?? lockBusy(w, resvLock(obj), p.pid);
  if (busy) return busy;
  return () => {
    const io = w.importers[importer]?.objs[obj];
    tryLock(w, resvLock(obj), p.pid);
    if (io) {
      zapImporter(w, importer, obj);
      if (io.att) io.att.sg = null;
      io.mapped = false;
      if (io.att && !io.att.dynamic) dropBoPin(w, importer, bo);
      emit(w, { type: 'att.unmap', importer, obj: bo.key });
    }
    unlock(w, resvLock(obj), p.pid);
    tidyImporterObj(w, importer, obj);
    return done();
  };
}
