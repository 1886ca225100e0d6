/**
 * Interval notifiers [mm/mmu_notifier.c]: the mm's invalidate_seq, subscriptions, and the
 * invalidation that calls every overlapping subscriber's invalidate() between start and end.
 *
 * A subscriber's invalidate() takes its notifier lock, then its driver update lock, calls
 * set_seq, zaps its device page-table entries for the range and waits for its in-flight DMA on
 * them. Non-blockable invalidation trylocks both and refuses if either is busy or it would have to
 * wait; the core then ends the invalidation itself and the caller gets EAGAIN.
 */

import type { InvalidateReason } from '../../models/alphabet.js';
import { writeFrame } from '../world/frames.js';
import { emit, freshId } from '../world/log.js';
import type { Proc, Wait, World } from '../world/types.js';
import { assertHeld, driverLock, lockBusy, notifierLock, tryLock, unlock } from './locks.js';
import { importerConfig, keyOf } from './objects.js';
import { releaseVmaMap } from './p2p.js';
import { jobInvalidateWait, jobPreempt } from './userptr.js';

/** Why the range is invalidated (enum mmu_notifier_event). */
export type InvEvent = InvalidateReason;

export interface InvState {
  readonly obj: string;
  readonly blockable: boolean;
  readonly event: InvEvent;
  /** MMU_NOTIFY_MIGRATE: the migration's pgmap owner (mmu_notifier_range_init_owner). */
  readonly owner: string | null;
  /** The pages of the range (null: the whole object): subscribers zap only these. */
  readonly pages: readonly number[] | null;
  id: number;
  /** Subscribers to call, in attach order (snapshot at start: later ones are deferred). */
  subs: string[];
  i: number;
  overlapped: boolean;
}

/**
 * The invalidation a routine holds before it starts one (never started, never changed: a
 * fresh one replaces it at start). Shared, so idle routines allocate nothing.
 */
export const NO_INVALIDATION: InvState = Object.freeze({
  obj: '',
  blockable: true,
  event: 'clear',
  owner: null,
  pages: null,
  id: 0,
  subs: [],
  i: 0,
  overlapped: false,
}) as InvState;

export function newInvalidation(
  obj: string,
  blockable: boolean,
  event: InvEvent,
  owner: string | null = null,
  pages: readonly number[] | null = null,
): InvState {
  return { obj, blockable, event, owner, pages, id: 0, subs: [], i: 0, overlapped: false };
}

/**
 * A mirror skips an invalidation its own device's migration sends (MMU_NOTIFY_MIGRATE with its
 * pgmap owner): the migration updates the mirror's page table itself. The
 * owner-filter-skips-foreign fault tests the event but not the owner. (MMU_NOTIFY_EXCLUSIVE is
 * not filtered: test_hmm's mirror drops its own entry too, then installs the atomic one.)
 */
function skipsInvalidation(w: World, importer: string, inv: InvState): boolean {
  // The mirror-ignores-protection fault: a mirror that treats mprotect as nothing to do.
  if (inv.event === 'protection_vma' && w.faults['mirror-ignores-protection'])
    return importerConfig(w, importer)?.kind === 'mirror';
  // The mirror-ignores-fork-protection fault: a mirror that treats fork's write-protect as nothing.
  if (inv.event === 'protection_page' && w.faults['mirror-ignores-fork-protection'])
    return importerConfig(w, importer)?.kind === 'mirror';
  if (inv.event !== 'migrate' || inv.owner === null) return false;
  const ic = importerConfig(w, importer);
  if (ic?.kind !== 'mirror' || ic.device === null) return false;
  return inv.owner === ic.device || w.faults['owner-filter-skips-foreign'] === true;
}

/** Subscribers in the interval tree for an object, in the order they attached. */
export function liveSubscribers(w: World, obj: string): string[] {
  const out: { id: string; order: number }[] = [];
  for (const imp of Object.values(w.importers)) {
    const s = imp.objs[obj]?.sub;
    if (s && !s.deferred) out.push({ id: imp.id, order: s.order });
  }
  out.sort((a, b) => a.order - b.order);
  return out.map((x) => x.id);
}

export function isOdd(n: number): boolean {
  return (n & 1) === 1;
}

/** mmu_notifier_invalidate_range_start: the overlapping subscribers are captured now. */
export function invalidateStart(w: World, inv: InvState, pid: number): void {
  inv.id = freshId(w);
  inv.subs = liveSubscribers(w, inv.obj);
  inv.overlapped = inv.subs.length > 0;
  inv.i = 0;
  w.mm.active += 1;
  if (inv.overlapped && !isOdd(w.mm.seq)) w.mm.seq += 1;
  w.mm.ranges.push({ id: inv.id, obj: inv.obj, by: pid, overlapped: inv.overlapped });
  emit(w, {
    type: 'mmu.invalidate_start',
    obj: keyOf(w, inv.obj),
    blockable: inv.blockable,
    event: inv.event,
    owner: inv.owner,
  });
}

/** mn_itree_inv_end: the last active range makes the sequence even and inserts deferred subs. */
function coreEnd(w: World, inv: InvState): void {
  w.mm.ranges = w.mm.ranges.filter((r) => r.id !== inv.id);
  w.mm.active -= 1;
  if (w.mm.active !== 0 || !isOdd(w.mm.seq)) return;
  w.mm.seq += 1;
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) if (io.sub) io.sub.deferred = false;
  }
}

/** mmu_notifier_invalidate_range_end. */
export function invalidateEnd(w: World, inv: InvState): void {
  coreEnd(w, inv);
  emit(w, { type: 'mmu.invalidate_end', obj: keyOf(w, inv.obj) });
}

/**
 * Zap an importer's device PTEs for an object, or for some of its pages (the caller holds its
 * driver lock, or the bo's reservation lock for a dma-buf attachment).
 */
export function zapImporter(
  w: World,
  importer: string,
  obj: string,
  pages: readonly number[] | null = null,
): void {
  const io = w.importers[importer]?.objs[obj];
  if (!io) return;
  for (let page = 0; page < io.pt.length; page++) {
    if (pages !== null && !pages.includes(page)) continue;
    const e = io.pt[page];
    if (e) {
      // A device-atomic entry: the device writes back what it holds in its cache.
      if (e.held !== undefined) writeFrame(w, e.f, e.held, `${importer} atomic writeback`);
      io.pt[page] = null;
      emit(w, { type: 'devpt.zap', importer, obj: keyOf(w, obj), page });
    }
  }
  // A map through a bo's device VMA is given back with its PTEs (p2p_unmap).
  releaseVmaMap(w, importer, obj);
}

export function dmaWait(
  w: World,
  importer: string,
  obj: string,
  pages: readonly number[] | null = null,
): Wait | null {
  const ids = w.dma
    .filter(
      (d) => d.importer === importer && d.obj === obj && (pages === null || pages.includes(d.page)),
    )
    .map((d) => d.id);
  return ids.length > 0 ? { on: 'dma', ids } : null;
}

export function subscribersLeft(inv: InvState): boolean {
  return inv.i < inv.subs.length;
}

export type CallResult = 'called' | 'partial' | 'refused';

/**
 * Plan one call of the next subscriber's invalidate(). `partial` means the step took the
 * notifier lock and will wait for the driver lock next; `refused` means a non-blockable
 * invalidation was refused and the core has ended it.
 */
export function planCallSubscriber(w: World, p: Proc, inv: InvState): Wait | (() => CallResult) {
  const importer = inv.subs[inv.i] ?? '';
  const imp = w.importers[importer];
  const io = imp?.objs[inv.obj];
  if (!imp || !io?.sub || skipsInvalidation(w, importer, inv)) {
    return () => {
      inv.i += 1;
      return 'called';
    };
  }
  const nl = notifierLock(importer);
  const dl = driverLock(importer);
  const mustWait = () =>
    dmaWait(w, importer, inv.obj, inv.pages) ?? jobInvalidateWait(w, importer, inv.obj);
  if (!inv.blockable) {
    return () => {
      if (lockBusy(w, nl, p.pid)) return refuse(w, inv);
      tryLock(w, nl, p.pid);
      if (lockBusy(w, dl, p.pid) || mustWait()) {
        if (!w.faults['eagain-keeps-lock']) unlock(w, nl, p.pid);
        return refuse(w, inv);
      }
      tryLock(w, dl, p.pid);
      return finishCallback(w, p, inv, importer);
    };
  }
  const holdsNotifier = imp.notifierLock === p.pid;
  if (!holdsNotifier) {
    const busy = lockBusy(w, nl, p.pid);
    if (busy) return busy;
  }
  const driverBusy = lockBusy(w, dl, p.pid);
  if (driverBusy) {
    if (holdsNotifier && w.faults['invalidate-restarts-on-busy']) {
      // Trylock-and-restart instead of sleeping: drop the notifier lock, walk again.
      return () => {
        unlock(w, nl, p.pid);
        inv.i = 0;
        return 'partial';
      };
    }
    if (holdsNotifier) return driverBusy;
    return () => {
      tryLock(w, nl, p.pid);
      return 'partial';
    };
  }
  const holdsDriver = imp.driverLock === p.pid;
  const wait = mustWait();
  if (wait) {
    if (holdsNotifier && holdsDriver) return wait;
    // Take both locks, then wait for the DMA / job with them held.
    return () => {
      tryLock(w, nl, p.pid);
      tryLock(w, dl, p.pid);
      return 'partial';
    };
  }
  return () => {
    tryLock(w, nl, p.pid);
    tryLock(w, dl, p.pid);
    return finishCallback(w, p, inv, importer);
  };
}

function refuse(w: World, inv: InvState): CallResult {
  coreEnd(w, inv);
  emit(w, { type: 'mmu.invalidate_refused', obj: keyOf(w, inv.obj) });
  return 'refused';
}

/** set_seq, zap, release both locks: the subscriber's invalidate() returns. */
function finishCallback(w: World, p: Proc, inv: InvState, importer: string): CallResult {
  assertHeld(w, notifierLock(importer), p.pid, 'invalidate() zapping device PTEs');
  assertHeld(w, driverLock(importer), p.pid, 'invalidate() zapping device PTEs');
  const io = w.importers[importer]?.objs[inv.obj];
  if (io?.sub) io.sub.seq = w.mm.seq;
  jobPreempt(w, importer, inv.obj);
  zapImporter(w, importer, inv.obj, inv.pages);
  unlock(w, driverLock(importer), p.pid);
  unlock(w, notifierLock(importer), p.pid);
  emit(w, { type: 'sub.invalidate', importer, obj: keyOf(w, inv.obj) });
  inv.i += 1;
  return 'called';
}

/**
 * mmu_interval_notifier_insert: the new subscription's invalidate_seq. During an invalidation it
 * gets the current odd seq (forcing it odd if the running ranges overlap nobody), so its first
 * read_begin waits; it is deferred (not called by the running invalidation) when the seq was odd.
 * When idle it gets seq - 1: odd, and never equal to the current value.
 */
export function insertSeq(w: World): { seq: number; deferred: boolean } {
  if (w.mm.active > 0) {
    const wasOdd = isOdd(w.mm.seq);
    if (w.faults['new-subscription-valid']) return { seq: w.mm.seq - 1, deferred: wasOdd };
    // invalidate_seq |= 1; the insert-seq-backwards fault makes it odd by stepping back.
    if (!wasOdd) w.mm.seq += w.faults['insert-seq-backwards'] ? -1 : 1;
    return { seq: w.mm.seq, deferred: wasOdd };
  }
  return { seq: w.mm.seq - 1, deferred: false };
}

/** mmu_interval_notifier_remove waits while an invalidation holds the sequence odd. */
export function removeWait(w: World, importer: string, obj: string): Wait | null {
  const s = w.importers[importer]?.objs[obj]?.sub;
  if (!s || s.deferred || !isOdd(w.mm.seq)) return null;
  return { on: 'invalidation', obj };
}

/** mmu_interval_read_begin: the wait, if an invalidation covering the subscription is active. */
export function readBeginWait(w: World, importer: string, obj: string): Wait | null {
  const s = w.importers[importer]?.objs[obj]?.sub;
  if (!s) return null;
  return s.seq === w.mm.seq ? { on: 'notifier', importer, obj, seq: s.seq } : null;
}

export function readBegin(w: World, importer: string, obj: string): number {
  return w.importers[importer]?.objs[obj]?.sub?.seq ?? -1;
}

/** mmu_interval_read_retry. */
export function readRetry(w: World, importer: string, obj: string, seq: number): boolean {
  const s = w.importers[importer]?.objs[obj]?.sub;
  return !s || s.seq !== seq;
}
