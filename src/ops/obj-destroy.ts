/**
 * obj.destroy (munmap of an anon range, or the last handle of a bo): invalidate the range for
 * the mirrors, tear down the CPU mappings, release the frames (a pinned frame stays allocated
 * until its last unpin). The object lives on under its name while pins or attachments hold it.
 */
import { defineOp, done, failed, failNow, PROGRESS } from '../exec/op.js';
import { newVmaZap, planVmaZap, type VmaZapState } from '../kernel/device-vma.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import { mmapWriteWait } from '../kernel/locks.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from '../kernel/notifier.js';
import { objOf } from '../kernel/objects.js';
import { allPages } from '../kernel/pages.js';
import { zapPages } from '../kernel/zap.js';
import { emit } from '../world/log.js';
import { isErrno, liveObj } from './args.js';
import { destroyBo } from './bo-destroy.js';
import { removeVma } from './obj-mmap.js';

interface St {
  readonly obj: string;
  readonly uid: number;
  stage: 'start' | 'invalidate' | 'zap';
  inv: InvState;
  /** A mmapped bo: its device VMA is zapped and unmapped first (p2p.md). */
  vma?: VmaZapState | null;
}

export const objDestroy = defineOp<St>({
  name: 'obj.destroy',
  phases: ['destroy'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    return {
      pc: 'destroy',
      st: { obj: o.name, uid: o.uid, stage: 'start', inv: newInvalidation(o.name, true, 'unmap') },
    };
  },
  phaseOf: () => 'destroy',
  plan(w, p) {
    const s = p.st;
    const o = objOf(w, s.obj, s.uid);
    // A zap under way ends its invalidation, whatever happened to the bo meanwhile.
    const zapping = o?.kind === 'bo' && s.vma?.inv != null;
    if (!o || (o.destroyed && !zapping)) return failNow('ENOENT');
    if (o.kind === 'bo' && (o.vma || s.vma)) {
      const zap = s.vma ?? newVmaZap(o, 'unmap');
      const step = planVmaZap(w, p, zap);
      if (typeof step !== 'function') return step;
      return () => {
        s.vma = zap;
        if (!step()) return PROGRESS;
        if (o.destroyed) return failed('ENOENT');
        if (o.vma) removeVma(w, o);
        return destroyBo(w, o);
      };
    }
    if (o.kind === 'bo') return () => destroyBo(w, o);
    switch (s.stage) {
      case 'start': {
        const wait = mmapWriteWait(o, p.pid);
        if (wait) return wait;
        return () => {
          o.mmap.writer = p.pid;
          invalidateStart(w, s.inv, p.pid);
          s.stage = subscribersLeft(s.inv) ? 'invalidate' : 'zap';
          return PROGRESS;
        };
      }
      case 'invalidate': {
        const call = planCallSubscriber(w, p, s.inv);
        if (typeof call !== 'function') return call;
        return () => {
          call();
          if (!subscribersLeft(s.inv)) s.stage = 'zap';
          return PROGRESS;
        };
      }
      case 'zap':
        return () => {
          zapPages(w, o, allPages(o.pages), 'unmap');
          invalidateEnd(w, s.inv);
          o.mmap.writer = null;
          o.destroyed = true;
          emit(w, { type: 'obj.destroy', obj: o.key });
          maybeRelease(w, s.obj);
          return done();
        };
    }
  },
});
