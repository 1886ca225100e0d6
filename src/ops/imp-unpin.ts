/** imp.unpin: unpin_user_pages (gup, dio) or dma_buf_unpin (dynamic dma-buf importer). */
import { defineOp, done } from '../exec/op.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import { dmaWait } from '../kernel/notifier.js';
import { pageLife, pinLife } from '../kernel/pages.js';
import { unpinFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import { importerCfg, isErrno, tidyImporterObj, usedObj } from './args.js';
import { unpinDmabuf } from './dmabuf-unpin.js';
import { dropPinFlag } from './vma-importer.js';

interface St {
  readonly importer: string;
  readonly obj: string;
}

export const impUnpin = defineOp<St>({
  name: 'imp.unpin',
  phases: ['unpin'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = usedObj(w, a, ic.id);
    if (isErrno(o)) return o;
    if (ic.kind === 'gup' && o.kind === 'bo') {
      if (!w.importers[ic.id]?.objs[o.name]?.vma?.pinned) return 'ENOENT';
      return { pc: 'unpin', st: { importer: ic.id, obj: o.name } };
    }
    if (ic.kind === 'gup' || ic.kind === 'dio') {
      if (o.kind !== 'anon') return 'EINVAL';
    } else if (ic.kind === 'dmabuf') {
      if (o.kind !== 'bo' || !ic.dynamic) return 'EINVAL';
    } else {
      return 'EINVAL';
    }
    if (!w.importers[ic.id]?.objs[o.name]?.pin) return 'ENOENT';
    return { pc: 'unpin', st: { importer: ic.id, obj: o.name } };
  },
  phaseOf: () => 'unpin',
  plan(w, p) {
    const { importer, obj } = p.st;
    const wait = dmaWait(w, importer, obj);
    if (wait) return wait;
    if (w.importers[importer]?.objs[obj]?.vma?.pinned) return () => dropPinFlag(w, importer, obj);
    return () => {
      const o = w.objects[obj];
      const io = w.importers[importer]?.objs[obj];
      const pin = io?.pin;
      if (!o || !io || !pin) return done();
      if (o.kind === 'bo') return unpinDmabuf(w, importer, o, io);
      pin.pages.forEach((page, k) => {
        const f = pin.frames[k];
        if (f !== undefined) unpinFrame(w, f);
        const pg = o.kind === 'anon' ? o.page[page] : undefined;
        const stale = pg !== undefined && pageLife(pg) !== pinLife(pin, k);
        emit(w, { type: 'page.unpin', importer, obj: o.key, page, stale });
      });
      io.pin = null;
      tidyImporterObj(w, importer, obj);
      maybeRelease(w, obj);
      return done();
    };
  },
});
