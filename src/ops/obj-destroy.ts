/**
 * obj.destroy (munmap of an anon range, or the last handle of a bo): invalidate the range for
 * the mirrors, tear down the CPU mappings, release the frames (a pinned frame stays allocated
 * until its last unpin). The object lives on under its name while pins or attachments hold it.
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
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

interface St {
  readonly obj: string;
  readonly uid: number;
  stage: 'start' | 'invalidate' | 'zap';
  inv: InvState;
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
    if (!o || o.destroyed) return failNow('ENOENT');
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
