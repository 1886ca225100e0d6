/**
 * obj.share / obj.unshare: userspace decides, and may take back, whether a bo may be reached by
 * peer-to-peer (the LKML thread "[RFC PATCH 3/5] mm/vma: add support for peer to peer to device
 * vma", January 2019: the policy is mutable and driver-decided). Unshare
 * invalidates every dynamic attachment mapping VRAM; EBUSY while a pin holds the bo in VRAM.
 */
import { defineOp, done, failed, failNow } from '../exec/op.js';
import { attachments, invalidateAttachment, pinnedInVram } from '../kernel/dmabuf.js';
import { lockBusy, resvLock, tryLock, unlock } from '../kernel/locks.js';
import { objOf } from '../kernel/objects.js';
import { emit } from '../world/log.js';
import { isErrno, liveObj } from './args.js';
import { deviceErrno } from './device-state.js';

interface St {
  readonly obj: string;
  readonly uid: number;
}

function makeOp(name: 'obj.share' | 'obj.unshare') {
  const share = name === 'obj.share';
  return defineOp<St>({
    name,
    phases: [share ? 'share' : 'unshare'],
    start(w, a) {
      const o = liveObj(w, a);
      if (isErrno(o)) return o;
      if (o.kind !== 'bo') return 'EINVAL';
      const err = deviceErrno(w, o.device);
      if (err) return err;
      return { pc: 'run', st: { obj: o.name, uid: o.uid } };
    },
    phaseOf: () => (share ? 'share' : 'unshare'),
    plan(w, p) {
      const bo = objOf(w, p.st.obj, p.st.uid);
      if (bo?.kind !== 'bo' || bo.destroyed) return failNow('ENOENT');
      const resv = resvLock(bo.name);
      const busy = lockBusy(w, resv, p.pid);
      if (busy) return busy;
      return () => {
        if (share) {
          bo.shared = true;
          emit(w, { type: 'bo.share', obj: bo.key });
          return done();
        }
        if (pinnedInVram(w, bo.name)) return failed('EBUSY');
        tryLock(w, resv, p.pid);
        if (!w.faults['p2p-ignores-unshare']) {
          for (const a of attachments(w, bo.name)) {
            if (a.att.dynamic && a.att.vram && a.att.sg !== null)
              invalidateAttachment(w, a.importer, bo.name, { att: a.att });
          }
        }
        bo.shared = false;
        emit(w, { type: 'bo.unshare', obj: bo.key });
        unlock(w, resv, p.pid);
        return done();
      };
    },
  });
}

export const objShare = makeOp('obj.share');
export const objUnshare = makeOp('obj.unshare');
