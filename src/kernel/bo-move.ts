/**
 * Moving a bo between VRAM and system memory, pipelined as in TTM:
 *
 *   collect  take the reservation lock; move_notify every dynamic attachment (newest first),
 *            one callback per step, also attachments never mapped
 *   copy     allocate the destination (evicting least recently placed unpinned bos of the device
 *            if VRAM is full); switch the placement and add the move's unsignalled fence
 *            (KERNEL usage); CPU mappings are zapped; the reservation lock is released here —
 *            the copy goes on behind the fence; then the copy engine takes the job and, a step later,
 *            completes it and signals the fence (its read of each old frame is observed like a
 *            DMA read: nobody may have written the page since the move began)
 *            (after in-flight DMA writes to the old frames: the copy waits for WRITE fences)
 *   commit   wait for every in-flight DMA on the old frames (READ fences too), free them
 *
 * A pinned bo never moves.
 */
import type { Domain } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import {
  allocFrame,
  copyFrame,
  freeCount,
  isGarbage,
  releaseFrame,
  systemPool,
  vramPool,
} from '../world/frames.js';
import { emit, observe } from '../world/log.js';
import type { Attachment, BoObj, Proc, Wait, World } from '../world/types.js';
import { moveZap, needsZap, planVmaZap, type VmaZapState } from './device-vma.js';
import { attachments, dynamicAttachments, invalidateAttachment, isPinned } from './dmabuf.js';
import { type EngineSlot, engineStep } from './engine.js';
import { maybeRelease } from './lifecycle.js';
import { lockBusy, resvLock, tryLock, unlock } from './locks.js';
import { isLost, markBoLost } from './loss.js';
import { dropHolds } from './migrate.js';
import { objOf } from './objects.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from './reclaim.js';

export type BoMoveStage =
  | 'lock'
  | 'notify'
  | 'zap'
  | 'switch'
  | 'evict'
  | 'copy'
  | 'signal'
  | 'commit'
  | 'revert';

export interface BoMoveState {
  readonly obj: string;
  readonly uid: number;
  readonly to: Domain;
  /** The caller already holds the reservation lock (a map or pin placing the bo). */
  readonly nested: boolean;
  /** An eviction: a busy bo is skipped rather than waited for (ww_mutex trylock). */
  readonly trylock: boolean;
  stage: BoMoveStage;
  /** Attachments to notify (a snapshot taken under the lock), with the structure each named. */
  notify: { importer: string; att: Attachment | null }[];
  src: number[];
  dst: number[];
  evict: BoMoveState | null;
  /** bos an eviction already failed to move (not tried again). */
  tried: string[];
  /** Where the bo was before the switch (for a revert). */
  from: Domain | null;
  /** The copy queued on a hung device's engine. */
  engine: EngineSlot;
  /** Why the move is being undone: EIO (the copy failed), EBUSY (the device froze). */
  failure: Errno | null;
  /** Direct reclaim of RAM for the destination (to system). */
  dr: DirectReclaim;
  /** zap_vma_ptes of the bo's device VMA (p2p.md), before the switch and before a revert. */
  zap?: VmaZapState | null;
  revertZapped?: boolean;
}

export function newBoMove(bo: BoObj, to: Domain, nested: boolean, trylock = false): BoMoveState {
  return {
    obj: bo.name,
    uid: bo.uid,
    to,
    nested,
    trylock,
    stage: 'lock',
    notify: [],
    src: [],
    dst: [],
    evict: null,
    tried: [],
    from: null,
    engine: { job: null },
    failure: null,
    dr: newDirectReclaim(),
  };
}

export function boMovePhaseOf(m: BoMoveState): 'collect' | 'copy' | 'commit' {
  if (m.stage === 'lock' || m.stage === 'notify' || m.stage === 'zap') return 'collect';
  if (m.stage === 'commit' || m.stage === 'revert') return 'commit';
  return 'copy';
}

export type BoMoveResult = { readonly moved: number; readonly skipped: number } | Errno;

/** Another process's move of the same bo, if one is under way. */
export function moveWait(bo: BoObj, pid: number): Wait | null {
  return bo.movingBy !== null && bo.movingBy !== pid
    ? { on: 'proc', pid: bo.movingBy, why: `move of ${bo.name}` }
    : null;
}

function finish(w: World, p: Proc, bo: BoObj, m: BoMoveState): void {
  if (bo.movingBy === p.pid) bo.movingBy = null;
  if (!m.nested) unlock(w, resvLock(bo.name), p.pid);
}

/**
 * The least recently placed bo of the device that can be evicted now (to system memory, whatever
 * its domains: TTM's eviction placement).
 */
export function evictionVictim(
  w: World,
  device: string,
  self: string,
  pid: number,
  tried: readonly string[],
): BoObj | undefined {
  let best: BoObj | undefined;
  for (const o of Object.values(w.objects)) {
    if (o.kind !== 'bo' || o.name === self || o.device !== device || o.placement !== 'vram')
      continue;
    if (tried.includes(o.name) || o.movingBy !== null || isPinned(w, o.name)) continue;
    if (o.resv !== null && o.resv !== pid) continue;
    if (!best || o.placedAt < best.placedAt) best = o;
  }
  return best;
}

export function planBoMove(w: World, p: Proc, m: BoMoveState): Wait | (() => BoMoveResult | null) {
  const reclaiming = reclaimUnderWay(w, p, m.dr);
  if (typeof reclaiming === 'function') {
    return () => {
      reclaiming();
      return null;
    };
  }
  if (reclaiming) return reclaiming;
  const bo = objOf(w, m.obj, m.uid);
  if (bo?.kind !== 'bo') return () => 'ENOENT';
  const resv = resvLock(bo.name);
  switch (m.stage) {
    case 'lock': {
      const wait = moveWait(bo, p.pid) ?? lockBusy(w, resv, p.pid);
      if (wait && m.trylock) return () => ({ moved: 0, skipped: bo.pages });
      if (wait) return wait;
      return () => {
        // The exporter went away while the move waited (unplug's gone step): nothing to move.
        if (w.devices[bo.device]?.gone) return 'ENODEV';
        if (bo.placement === m.to) return { moved: 0, skipped: 0 };
        if (isPinned(w, bo.name)) return { moved: 0, skipped: bo.pages };
        tryLock(w, resv, p.pid);
        bo.movingBy = p.pid;
        const list = w.faults['no-move-notify-on-evict'] ? [] : dynamicAttachments(w, bo.name);
        m.notify = list.map((importer) => ({
          importer,
          att: w.importers[importer]?.objs[bo.name]?.att ?? null,
        }));
        m.stage = m.notify.length > 0 ? 'notify' : afterNotify(w, bo, m);
        return null;
      };
    }
    case 'notify':
      return () => {
        const n = m.notify.shift();
        if (n) invalidateAttachment(w, n.importer, bo.name, n.att ? { att: n.att } : null);
        if (m.notify.length === 0) m.stage = afterNotify(w, bo, m);
        return null;
      };
    case 'zap': {
      const z = m.zap;
      if (!z) {
        return () => {
          m.stage = 'switch';
          return null;
        };
      }
      const step = planVmaZap(w, p, z);
      if (typeof step !== 'function') return step;
      return () => {
        if (step()) {
          m.zap = null;
          m.stage = 'switch';
        }
        return null;
      };
    }
    case 'evict': {
      const sub = m.evict;
      if (!sub) {
        return () => {
          m.stage = 'switch';
          return null;
        };
      }
      const step = planBoMove(w, p, sub);
      if (typeof step !== 'function') return step;
      return () => {
        const r = step();
        if (r === null) return null;
        if (typeof r === 'string' || r.moved === 0) m.tried.push(sub.obj);
        m.evict = null;
        m.stage = 'switch';
        return null;
      };
    }
    case 'switch': {
      // The destination in RAM is reclaimed if need be (ENOMEM only if nothing can be).
      if (m.to === 'system') {
        const reclaim = planDirectReclaim(w, p, bo.pages, m.dr);
        if (typeof reclaim !== 'function' && reclaim) return reclaim;
        if (reclaim) return () => (reclaim() === 'ENOMEM' ? switchPlacement(w, p, bo, m) : null);
      }
      return () => switchPlacement(w, p, bo, m);
    }
    case 'copy': {
      // A device frozen for suspend since the switch takes no new data: undo the move.
      if (m.to === 'vram' && m.engine.job === null && w.devices[bo.device]?.frozen) {
        return () => {
          m.failure = 'EBUSY';
          m.stage = 'revert';
          return null;
        };
      }
      // The copy is ordered after in-flight DMA writes to the old frames (WRITE fences).
      const writers = w.dma.filter((d) => d.write && m.src.includes(d.f)).map((d) => d.id);
      if (writers.length > 0) return { on: 'dma', ids: writers };
      const engine = planEngine(w, bo, m);
      if (engine) return engine;
      // The copy engine takes the job now and completes it in the next step.
      return () => {
        m.stage = 'signal';
        return null;
      };
    }
    case 'signal': {
      const engine = planEngine(w, bo, m);
      if (engine) return engine;
      return () => {
        m.src.forEach((f, i) => {
          const d = m.dst[i];
          if (d === undefined) return;
          // The copy engine reads the page as it is now: an observer judges that read like any
          // DMA's (nobody may write the page while its move fence is unsignalled).
          const data = w.frames[f]?.data ?? null;
          observe(w, {
            k: 'read',
            who: `${bo.device} copy engine`,
            obj: bo.name,
            uid: bo.uid,
            page: i,
            // "lost" once the page's loss is reported, as an importer's read; garbage read
            // before that is read as data (Hang.LossIsReported judges it).
            value: isLost(bo, i) ? 'lost' : (data?.v ?? 0),
            data,
            f,
          });
          copyFrame(w, f, d, `copy of ${bo.name}`);
        });
        // Pages whose source a reset destroyed while the move waited are lost.
        markBoLost(
          w,
          bo,
          m.dst.map((f, i) => (isGarbage(w, f) ? i : -1)).filter((i) => i >= 0),
        );
        if (bo.fence && bo.fence.by === p.pid) bo.fence.signalled = true;
        emit(w, { type: 'bo.move_fence', obj: bo.key, ok: true });
        m.stage = 'commit';
        return null;
      };
    }
    case 'revert':
      return planRevert(w, p, bo, m);
    case 'commit': {
      // Freeing the old frames waits for every in-flight DMA on them (READ/BOOKKEEP fences).
      if (!w.faults['no-fence-wait-on-move']) {
        const ids = w.dma.filter((d) => m.src.includes(d.f)).map((d) => d.id);
        if (ids.length > 0) return { on: 'dma', ids };
      }
      return () => {
        for (const f of m.src) releaseFrame(w, f);
        dropHolds(p, [...m.src, ...m.dst]);
        if (bo.fence && bo.fence.by === p.pid) bo.fence = null;
        if (bo.movingBy === p.pid) bo.movingBy = null;
        maybeRelease(w, bo.name);
        return { moved: bo.pages, skipped: 0 };
      };
    }
  }
}

/** The copy engine of a hung device: queue the job, wait, and on a reset's error revert. */
function planEngine(
  w: World,
  bo: BoObj,
  m: BoMoveState,
): Wait | (() => BoMoveResult | null) | null {
  return engineStep<BoMoveResult | null>(w, [bo.device], m.engine, null, () => {
    m.failure = 'EIO';
    m.stage = 'revert';
    return null;
  });
}

/**
 * The copy failed (the reset force-completed its fence with an error): under the reservation
 * lock, notify the attachments again (they may have re-mapped the new frames), switch back, and
 * free the new frames once no DMA uses them. Data that was in lost VRAM is reported lost.
 */
function planRevert(
  w: World,
  p: Proc,
  bo: BoObj,
  m: BoMoveState,
): Wait | (() => BoMoveResult | null) {
  const resv = resvLock(bo.name);
  const busy = lockBusy(w, resv, p.pid);
  if (busy) return busy;
  // Whoever faulted the new placement in through the device VMA is zapped first, under the lock.
  if (m.zap) {
    const z = m.zap;
    const step = planVmaZap(w, p, z);
    if (typeof step !== 'function') return step;
    return () => {
      tryLock(w, resv, p.pid);
      if (step()) {
        m.zap = null;
        m.revertZapped = true;
      }
      return null;
    };
  }
  if (needsZap(bo) && m.revertZapped !== true) {
    return () => {
      tryLock(w, resv, p.pid);
      m.zap = moveZap(w, bo);
      return null;
    };
  }
  const users = w.dma.filter((d) => m.dst.includes(d.f)).map((d) => d.id);
  if (users.length > 0) return { on: 'dma', ids: users };
  return () => {
    tryLock(w, resv, p.pid);
    for (const a of attachments(w, bo.name)) {
      if (a.att.dynamic && a.att.sg !== null)
        invalidateAttachment(w, a.importer, bo.name, { att: a.att });
    }
    bo.frames = [...m.src];
    if (m.from) bo.placement = m.from;
    bo.cpu = bo.cpu.map(() => null);
    if (bo.fence && bo.fence.by === p.pid) bo.fence = null;
    emit(w, { type: 'bo.move_fence', obj: bo.key, ok: false });
    if (m.from) emit(w, { type: 'bo.move', obj: bo.key, to: m.from });
    for (const f of m.dst) releaseFrame(w, f);
    dropHolds(p, [...m.src, ...m.dst]);
    const lost = m.src.map((f, i) => (isGarbage(w, f) ? i : -1)).filter((i) => i >= 0);
    markBoLost(w, bo, lost);
    if (bo.movingBy === p.pid) bo.movingBy = null;
    unlock(w, resv, p.pid);
    maybeRelease(w, bo.name);
    return m.failure ?? 'EIO';
  };
}

/** After move_notify: the bo's device VMA is zapped (through the mmu notifiers) before the switch. */
function afterNotify(w: World, bo: BoObj, m: BoMoveState): BoMoveStage {
  if (!needsZap(bo)) return 'switch';
  m.zap = moveZap(w, bo);
  return 'zap';
}

function switchPlacement(w: World, p: Proc, bo: BoObj, m: BoMoveState): BoMoveResult | null {
  if (m.to === 'vram' && w.devices[bo.device]?.frozen) {
    finish(w, p, bo, m);
    return 'EBUSY';
  }
  const pool = m.to === 'vram' ? vramPool(bo.device) : systemPool();
  if (freeCount(w, pool) < bo.pages) {
    const v = m.to === 'vram' ? evictionVictim(w, bo.device, bo.name, p.pid, m.tried) : undefined;
    if (!v && !(w.faults['vram-overcommit'] && m.to === 'vram')) {
      finish(w, p, bo, m);
      return 'ENOMEM';
    }
    if (v) {
      m.evict = newBoMove(v, 'system', false, true);
      m.stage = 'evict';
      return null;
    }
  }
  const dst: number[] = [];
  for (let page = 0; page < bo.pages; page++) {
    const f = allocFrame(w, pool, { obj: bo.name, page });
    if (f === null) {
      for (const g of dst) releaseFrame(w, g);
      finish(w, p, bo, m);
      return 'ENOMEM';
    }
    dst.push(f);
  }
  m.src = [...bo.frames];
  m.dst = dst;
  m.from = bo.placement;
  p.holds.push(...m.src, ...dst);
  bo.frames = [...dst];
  bo.placement = m.to;
  bo.cpu = bo.cpu.map(() => null);
  bo.fence = { by: p.pid, signalled: false, src: [...m.src] };
  if (m.to === 'vram') {
    w.clock += 1;
    bo.placedAt = w.clock;
  }
  emit(w, { type: 'bo.move', obj: bo.key, to: m.to });
  // Pipelined: the reservation lock goes; the copy runs behind the fence.
  if (!m.nested) unlock(w, resvLock(bo.name), p.pid);
  m.stage = 'copy';
  return null;
}
