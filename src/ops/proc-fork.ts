/**
 * proc.fork: a process (`process`, default the first) forks a child named `child`, phases lock,
 * copy and finish (kernel/fork.ts says how each range and PTE is copied). The child's ranges are
 * the parent's under the child's name (`child/a` for the parent's `a`); operations name them by
 * `process: child, obj: a`. Errors: EINVAL for a bad child name, EEXIST if a process of that
 * name exists, EAGAIN past MAX_PROCESSES (RLIMIT_NPROC), ESRCH for an unknown parent, ENOMEM when
 * the copies of maybe-pinned pages find no memory (the child is torn down).
 */
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import { copyAtForkWait, copyRange, needsCopyAtFork, tearDownChild } from '../kernel/fork.js';
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
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from '../kernel/reclaim.js';
import { zapPages } from '../kernel/zap.js';
import { emit } from '../world/log.js';
import type { AnonObj, Proc, World } from '../world/types.js';
import { isErrno, processArg, str } from './args.js';

/** How many address spaces may exist at once (the first included). */
export const MAX_PROCESSES = 4;

interface St {
  readonly parent: string;
  readonly child: string;
  /** The parent's ranges, fixed when the locks are taken. */
  objs: { readonly name: string; readonly uid: number }[];
  i: number;
  stage: 'lock' | 'reclaim' | 'invalidate' | 'copy' | 'finish';
  inv: InvState;
  dr: DirectReclaim;
}

function parentRanges(w: World, parent: string): AnonObj[] {
  const out: AnonObj[] = [];
  for (const name of Object.keys(w.objects).sort()) {
    const o = w.objects[name];
    // A range munmapped whole has no VMA left to copy.
    if (o?.kind !== 'anon' || o.destroyed || o.process !== parent) continue;
    if (o.page.some((pg) => pg.prot !== 'none')) out.push(o);
  }
  return out;
}

function current(w: World, s: St): AnonObj | undefined {
  const r = s.objs[s.i];
  const o = r ? objOf(w, r.name, r.uid) : undefined;
  return o?.kind === 'anon' ? o : undefined;
}

function unlockAll(w: World, s: St, pid: number): void {
  for (const r of s.objs) {
    const o = objOf(w, r.name, r.uid);
    if (o?.kind === 'anon' && o.mmap.writer === pid) o.mmap.writer = null;
  }
}

/** fork failed: end the open invalidation, tear the child down, let the parent go. */
function fail(w: World, p: Proc, s: St, open: boolean) {
  if (open) invalidateEnd(w, s.inv);
  const torn: string[] = [];
  tearDownChild(w, s.child, (o) => {
    zapPages(w, o, allPages(o.pages), 'unmap');
    torn.push(o.name);
  });
  for (const name of torn) maybeRelease(w, name);
  unlockAll(w, s, p.pid);
  emit(w, { type: 'proc.fork_failed', process: s.parent, child: s.child });
  return failed('ENOMEM');
}

function nextRange(s: St): void {
  s.i += 1;
  s.stage = s.i < s.objs.length ? 'reclaim' : 'finish';
}

export const procFork = defineOp<St>({
  name: 'proc.fork',
  phases: ['lock', 'copy', 'finish'],
  start(w, a) {
    const parent = processArg(w, a);
    if (isErrno(parent)) return parent;
    const child = str(a, 'child');
    if (child === null || !/^[a-z][a-z0-9_-]{0,15}$/.test(child)) return 'EINVAL';
    if (w.processes[child]) return 'EEXIST';
    if (Object.keys(w.processes).length >= MAX_PROCESSES) return 'EAGAIN';
    return {
      pc: 'run',
      st: {
        parent,
        child,
        objs: [],
        i: 0,
        stage: 'lock',
        inv: newInvalidation('', true, 'protection_page'),
        dr: newDirectReclaim(),
      },
    };
  },
  phaseOf: (_w, p) => {
    const st = p.st.stage;
    return st === 'lock' ? 'lock' : st === 'finish' ? 'finish' : 'copy';
  },
  plan(w, p) {
    const s = p.st;
    // A direct reclaim under way finishes first, whatever the copies need by now.
    const reclaiming = reclaimUnderWay(w, p, s.dr);
    if (reclaiming) {
      if (typeof reclaiming !== 'function') return reclaiming;
      return () => {
        reclaiming();
        return PROGRESS;
      };
    }
    switch (s.stage) {
      case 'lock': {
        const ranges = parentRanges(w, s.parent);
        for (const o of ranges) {
          const wait = mmapWriteWait(o, p.pid);
          if (wait) return wait;
        }
        return () => {
          // Another fork named the same child meanwhile.
          if (w.processes[s.child]) return failed('EEXIST');
          for (const o of ranges) o.mmap.writer = p.pid;
          s.objs = ranges.map((o) => ({ name: o.name, uid: o.uid }));
          w.processes[s.child] = { name: s.child, parent: s.parent, ready: false };
          emit(w, { type: 'proc.fork', process: s.parent, child: s.child });
          s.i = 0;
          s.stage = s.objs.length > 0 ? 'reclaim' : 'finish';
          return PROGRESS;
        };
      }
      case 'reclaim': {
        const o = current(w, s);
        if (!o) {
          return () => {
            nextRange(s);
            return PROGRESS;
          };
        }
        if (o.shared) {
          // A shared mapping's PTEs are not copied (vma_needs_copy: no anon_vma), so the parent's
          // are left alone and no notifier runs: the child faults the pages from the page cache.
          return () => {
            copyRange(w, o, s.child);
            nextRange(s);
            return PROGRESS;
          };
        }
        const need = o.page.filter((pg) => needsCopyAtFork(w, pg)).length;
        const reclaim = need > 0 ? planDirectReclaim(w, p, need, s.dr) : null;
        if (reclaim) {
          if (typeof reclaim !== 'function') return reclaim;
          return () => (reclaim() === 'ENOMEM' ? fail(w, p, s, false) : PROGRESS);
        }
        return () => {
          s.inv = newInvalidation(o.name, true, 'protection_page');
          invalidateStart(w, s.inv, p.pid);
          s.stage = subscribersLeft(s.inv) ? 'invalidate' : 'copy';
          return PROGRESS;
        };
      }
      case 'invalidate': {
        const call = planCallSubscriber(w, p, s.inv);
        if (typeof call !== 'function') return call;
        return () => {
          call();
          if (!subscribersLeft(s.inv)) s.stage = 'copy';
          return PROGRESS;
        };
      }
      case 'copy': {
        const range = current(w, s);
        const mem = range ? copyAtForkWait(w, range) : null;
        if (mem) return mem;
        return () => {
          const o = current(w, s);
          if (o && copyRange(w, o, s.child) === 'ENOMEM') return fail(w, p, s, true);
          invalidateEnd(w, s.inv);
          nextRange(s);
          return PROGRESS;
        };
      }
      case 'finish':
        return () => {
          unlockAll(w, s, p.pid);
          const c = w.processes[s.child];
          if (c) c.ready = true;
          emit(w, { type: 'proc.forked', process: s.parent, child: s.child });
          return done();
        };
    }
  },
});
