/**
 * imp.detach, phases revoke and free. A mirror removes its subscription
 * (mmu_interval_notifier_remove waits for an invalidation in progress), zaps its device page
 * table and drains its DMA; a dma-buf importer is detached from the bo. Then the attachment is
 * freed.
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import { driverLock, lockBusy, tryLock, unlock } from '../kernel/locks.js';
import { dmaWait, removeWait, zapImporter } from '../kernel/notifier.js';
import { keyOf } from '../kernel/objects.js';
import { emit } from '../world/log.js';
import { importerCfg, isErrno, tidyImporterObj, usedObj } from './args.js';
import { type DmabufDetachState, newDmabufDetach, planDmabufDetach } from './dmabuf-detach.js';

type St =
  | {
      readonly kind: 'sub';
      readonly importer: string;
      readonly obj: string;
      stage: 'revoke' | 'free';
    }
  | { readonly kind: 'dmabuf'; d: DmabufDetachState };

export const impDetach = defineOp<St>({
  name: 'imp.detach',
  phases: ['revoke', 'free'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = usedObj(w, a, ic.id);
    if (isErrno(o)) return o;
    const io = w.importers[ic.id]?.objs[o.name];
    if (ic.kind === 'mirror' || ic.kind === 'userptr') {
      // A mirror of a bo's device VMA detaches like any other (its p2p map goes with the zap).
      if (o.kind !== 'anon' && ic.kind !== 'mirror') return 'EINVAL';
      if (!io?.sub) return 'ENOENT';
      if (io.job && io.job.state !== 'done') return 'EBUSY';
      return { pc: 'run', st: { kind: 'sub', importer: ic.id, obj: o.name, stage: 'revoke' } };
    }
    if (ic.kind === 'dmabuf') {
      if (o.kind !== 'bo') return 'EINVAL';
      if (!io?.att || io.att.revoked) return 'ENOENT';
      return { pc: 'run', st: { kind: 'dmabuf', d: newDmabufDetach(ic.id, o.name) } };
    }
    return 'EINVAL';
  },
  phaseOf: (_w, p) => (p.st.kind === 'sub' ? p.st.stage : p.st.d.stage),
  plan(w, p) {
    const s = p.st;
    if (s.kind === 'dmabuf') return planDmabufDetach(w, p, s.d);
    const { importer, obj } = s;
    if (s.stage === 'free') {
      return () => {
        tidyImporterObj(w, importer, obj);
        maybeRelease(w, obj);
        return done();
      };
    }
    if (!w.importers[importer]?.objs[obj]?.sub) return failNow('ENOENT');
    const dl = driverLock(importer);
    const wait =
      removeWait(w, importer, obj) ?? lockBusy(w, dl, p.pid) ?? dmaWait(w, importer, obj);
    if (wait) return wait;
    return () => {
      const io = w.importers[importer]?.objs[obj];
      tryLock(w, dl, p.pid);
      zapImporter(w, importer, obj);
      if (io) {
        io.sub = null;
        io.mapped = false;
      }
      unlock(w, dl, p.pid);
      emit(w, { type: 'sub.remove', importer, obj: keyOf(w, obj) });
      s.stage = 'free';
      return PROGRESS;
    };
  },
});
