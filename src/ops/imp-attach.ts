/**
 * imp.attach: a mirror or userptr importer inserts its interval subscription
 * (mmu_interval_notifier_insert); a dma-buf importer attaches to a bo (dma_buf_dynamic_attach).
 */
import { defineOp, done, failNow } from '../exec/op.js';
import { insertSeq } from '../kernel/notifier.js';
import { importerConfig } from '../kernel/objects.js';
import { emit } from '../world/log.js';
import type { World } from '../world/types.js';
import { importerCfg, importerObj, isErrno, liveObj } from './args.js';
import { deviceErrno } from './device-state.js';
import { attachDmabuf, dmabufAttachErrno } from './dmabuf-attach.js';

interface St {
  readonly importer: string;
  readonly obj: string;
}

function nextOrder(w: World): number {
  const order = w.nextId;
  w.nextId += 1;
  return order;
}

export const impAttach = defineOp<St>({
  name: 'imp.attach',
  phases: ['attach'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const io = w.importers[ic.id]?.objs[o.name];
    if (ic.kind === 'mirror' && o.kind === 'bo') {
      // A mirror reaches a bo through its device VMA: the subscription covers the VMA.
      if (!o.vma) return 'EINVAL';
      const err = deviceErrno(w, o.device) ?? deviceErrno(w, ic.device);
      if (err) return err;
      if (io?.sub) return 'EALREADY';
    } else if (ic.kind === 'mirror' || ic.kind === 'userptr') {
      if (o.kind !== 'anon') return 'EINVAL';
      const err = deviceErrno(w, ic.device);
      if (err) return err;
      if (io?.sub) return 'EALREADY';
    } else if (ic.kind === 'dmabuf') {
      if (o.kind !== 'bo') return 'EINVAL';
      if (io?.att) return 'EALREADY';
      const err = dmabufAttachErrno(w, ic, o);
      if (err) return err;
    } else {
      return 'EINVAL';
    }
    return { pc: 'attach', st: { importer: ic.id, obj: o.name } };
  },
  phaseOf: () => 'attach',
  plan(w, p) {
    const { importer, obj } = p.st;
    const o = w.objects[obj];
    const ic = importerConfig(w, importer);
    if (!o || o.destroyed || !ic) return failNow('ENOENT');
    return () => {
      const io = importerObj(w, importer, o);
      if (o.kind === 'bo' && ic.kind === 'dmabuf') return attachDmabuf(w, ic, o, io, nextOrder(w));
      const { seq, deferred } = insertSeq(w);
      io.sub = { seq, deferred, order: nextOrder(w) };
      emit(w, { type: 'sub.insert', importer, obj: o.key, deferred });
      return done({ p2p: false });
    };
  },
});
