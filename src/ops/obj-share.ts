/**
 * obj.share / obj.unshare: userspace decides, and may take back, whether a bo may be reached by
 * peer-to-peer (the LKML thread "[RFC PATCH 3/5] mm/vma: add support for peer to peer to device
 * vma", January 2019: the policy is mutable and driver-decided). Unshare
 * invalidates every dynamic attachment mapping VRAM and zaps a mmapped bo's device VMA (its
 * mirrors lose their p2p maps through the mmu notifiers); EBUSY while a pin holds the bo in VRAM.
 */
import { defineOp, done, failed, failNow, PROGRESS } from '../exec/op.js';
import { newVmaZap, planVmaZap, type VmaZapState } from '../kernel/device-vma.js';
import { attachments, invalidateAttachment, pinnedInVram } from '../kernel/dmabuf.js';
import { lockBusy, resvLock, tryLock, unlock } from '../kernel/locks.js';
import { objOf } from '../kernel/objects.js';
import { emit } from '../world/log.js';
import { isErrno, liveObj } from './args.js';
import { deviceErrno } from './device-state.js';

interface St {
  readonly obj: string;
  readonly uid: number;
  /** Unshare of a mmapped bo: its device VMA is zapped under the lock before the flag drops. */
  zap?: VmaZapState | null;
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
      if (bo?.kind !== 'bo' || (bo.destroyed && !p.st.zap)) return failNow('ENOENT');
      const resv = resvLock(bo.name);
      const busy = lockBusy(w, resv, p.pid);
      if (busy) return busy;
      const zap = p.st.zap;
      if (zap) {
        const step = planVmaZap(w, p, zap);
        if (typeof step !== 'function') return step;
        return () => {
          if (!step()) return PROGRESS;
          bo.shared = false;
          emit(w, { type: 'bo.unshare', obj: bo.key });
          unlock(w, resv, p.pid);
          return done();
        };
      }
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
        // The peers that reach it through its device VMA lose their maps through the zap.
        if (bo.vma) {
          p.st.zap = newVmaZap(bo);
          return PROGRESS;
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
