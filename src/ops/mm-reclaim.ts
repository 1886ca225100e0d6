/**
 * mm.reclaim: swap one anonymous system page out (shrink_folio_list → try_to_unmap).
 *   collect  lock the page, invalidate_start, each subscriber's invalidate() (non-blockable:
 *            refused → the core ends the invalidation, EAGAIN)
 *   commit   a dirty page (or one without a swap copy) is written to a slot, a clean page with a
 *            copy is dropped; the PTE becomes a swap entry, the TLB is flushed, the frame freed,
 *            invalidate_end
 */
import type { Outcome } from '../exec/op.js';
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from '../kernel/notifier.js';
import { objOf } from '../kernel/objects.js';
import { flushTlb } from '../kernel/pages.js';
import type { Errno } from '../world/errno.js';
import { readFrame, releaseFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, AnonPage, World } from '../world/types.js';
import { int, isErrno, liveObj, optBool, pageIn } from './args.js';

interface St {
  readonly obj: string;
  readonly uid: number;
  readonly page: number;
  stage: 'lock' | 'invalidate' | 'commit';
  inv: InvState;
}

function freeSlot(w: World): number | null {
  const i = w.swap.findIndex((s) => !s.used);
  return i < 0 ? null : i;
}

/** Why this page cannot be reclaimed now, if it cannot. */
function refusal(w: World, o: AnonObj, page: number, pid: number): Errno | null {
  const pg = o.page[page];
  if (!pg) return 'EINVAL';
  const pte = pg.pte;
  if (pte.t === 'migration') return 'EBUSY';
  if (pte.t !== 'present' || w.frames[pte.f]?.kind !== 'system') return 'EINVAL';
  const fr = w.frames[pte.f];
  if (!fr || fr.pins > 0 || fr.refs > 0) return 'EBUSY';
  if (pg.lockedBy !== null && pg.lockedBy !== pid) return 'EBUSY';
  const needsSlot = pte.dirty || pg.swap === null;
  if (needsSlot && pg.swap === null && freeSlot(w) === null) return 'EBUSY';
  return null;
}

function unlockPage(pg: AnonPage | undefined, pid: number): void {
  if (pg && pg.lockedBy === pid) pg.lockedBy = null;
}

function swapOut(w: World, o: AnonObj, s: St, pid: number): Outcome {
  const pg = o.page[s.page];
  const err = refusal(w, o, s.page, pid);
  invalidateEnd(w, s.inv);
  unlockPage(pg, pid);
  if (!pg || err) return failed(err ?? 'EINVAL');
  const pte = pg.pte;
  if (pte.t !== 'present') return failed('EINVAL');
  if (pte.dirty || pg.swap === null) {
    const slot = pg.swap ?? freeSlot(w);
    const sl = slot === null ? undefined : w.swap[slot];
    if (slot === null || !sl) return failed('EBUSY');
    sl.used = true;
    sl.data = readFrame(w, pte.f, 'swap-out');
    pg.swap = slot;
  }
  flushTlb(pg);
  pg.pte = { t: 'swap', slot: pg.swap ?? 0 };
  releaseFrame(w, pte.f);
  emit(w, { type: 'page.swap_out', obj: o.key, page: s.page });
  return done();
}

export const mmReclaim = defineOp<St>({
  name: 'mm.reclaim',
  phases: ['collect', 'commit'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (o.kind !== 'anon') return 'EINVAL';
    const page = int(a, 'page');
    const blockable = optBool(a, 'blockable', true);
    if (!pageIn(o, page) || blockable === null) return 'EINVAL';
    const err = refusal(w, o, page, -1);
    if (err) return err;
    return {
      pc: 'run',
      st: {
        obj: o.name,
        uid: o.uid,
        page,
        stage: 'lock',
        inv: newInvalidation(o.name, blockable, 'clear'),
      },
    };
  },
  phaseOf: (_w, p) => (p.st.stage === 'commit' ? 'commit' : 'collect'),
  plan(w, p) {
    const s = p.st;
    const o = objOf(w, s.obj, s.uid);
    if (o?.kind !== 'anon') {
      return () => {
        if (s.stage !== 'lock') invalidateEnd(w, s.inv);
        return failed('ENOENT');
      };
    }
    switch (s.stage) {
      case 'lock':
        return () => {
          const err = refusal(w, o, s.page, p.pid);
          if (err) return failed(err);
          const pg = o.page[s.page];
          if (pg) pg.lockedBy = p.pid;
          invalidateStart(w, s.inv, p.pid);
          s.stage = subscribersLeft(s.inv) ? 'invalidate' : 'commit';
          return PROGRESS;
        };
      case 'invalidate': {
        const call = planCallSubscriber(w, p, s.inv);
        if (typeof call !== 'function') return call;
        return () => {
          if (call() === 'refused') {
            unlockPage(o.page[s.page], p.pid);
            if (w.faults['eagain-calls-end']) invalidateEnd(w, s.inv);
            return failed('EAGAIN');
          }
          if (!subscribersLeft(s.inv)) s.stage = 'commit';
          return PROGRESS;
        };
      }
      case 'commit':
        return () => swapOut(w, o, s, p.pid);
    }
  },
});
