/**
 * dev.unplug [drm_dev_unplug, ttm_bo_vm_dummy_page, migrate_device_range, memunmap_pages],
 * phases gone, revoke, release. By default an orderly unbind; with `surprise` the device left
 * the bus (surprise removal): its memory and copy engine are gone from the gone step on, the
 * loss is reported there (mappings of its memory invalidated, its pages marked lost), every
 * access to its memory fails, and revoke poisons its anon pages (memory_failure-style hwpoison
 * entries) instead of copying them back.
 *   gone     new operations on the device and its objects get ENODEV (except obj.destroy,
 *            imp.unmap, imp.unpin, imp.detach)
 *   revoke   every dynamic attachment of its bos is invalidated (pinned or not, dropping its
 *            pin); CPU mappings of its bos go to the dummy page; anon pages in its memory are
 *            migrated back to RAM with their data (an orderly unbind)
 *   release  its frames are freed — waiting while a static or gup pin still points at one
 */
import { defineOp, done, failNow, type Plan, PROGRESS } from '../exec/op.js';
import {
  anonPagesOn,
  bosIn,
  claimDevice,
  deviceFrames,
  onDevice,
  pinnedFrames,
  releaseDevice,
} from '../kernel/device.js';
import { newVmaZap, planEventZap, type VmaZapState } from '../kernel/device-vma.js';
import { attachments, dropBoPin, invalidateAttachment } from '../kernel/dmabuf.js';
import { failJobs, ignoresCopyFailure } from '../kernel/engine.js';
import { lockBusy, resvLock, tryLock, unlock } from '../kernel/locks.js';
import { type MigState, newMigration, planMigration } from '../kernel/migrate.js';
import { revokePinFlags } from '../kernel/p2p.js';
import { pteFrame } from '../kernel/pages.js';
import { newPoison, type PoisonState, planPoison } from '../kernel/poison.js';
import { destroyVram, reportVramLoss } from '../kernel/vram-loss.js';
import { forceFree, freeCount, releaseFrame, systemPool } from '../world/frames.js';
import { emit, observe } from '../world/log.js';
import type { AnonObj, BoObj, Proc, Wait, World } from '../world/types.js';
import { isErrno, liveDevice, optBool } from './args.js';

interface St {
  readonly device: string;
  /** Surprise removal: the device's memory goes with it (no orderly copy back). */
  readonly surprise: boolean;
  stage: 'gone' | 'revoke' | 'release';
  /** bos already revoked. */
  done: string[];
  mig: MigState | null;
  /** Surprise removal: the anon pages of one object being poisoned. */
  poison: PoisonState | null;
  /** Migrations back to RAM in a row that moved nothing (waiting for memory then). */
  stuck: number;
  /** The device VMA being zapped before its bo is revoked, and the bos already zapped (p2p.md). */
  zap?: VmaZapState | null;
  zapped?: string[];
}

function revokeBo(w: World, bo: BoObj): void {
  revokePinFlags(w, bo);
  for (const a of attachments(w, bo.name)) {
    if (!a.att.dynamic) continue;
    invalidateAttachment(w, a.importer, bo.name, { att: a.att });
    dropBoPin(w, a.importer, bo);
  }
  if (!w.faults['unplug-no-dummy']) {
    bo.cpu = bo.cpu.map(() => w.dummyFrame);
    emit(w, { type: 'bo.dummy', obj: bo.key });
  }
}

/**
 * The next anon pages to migrate back to RAM, or what to wait for first: a migration or fault
 * holding a page, a pin (the user must unpin). Null once nothing is left, or when migrations stop
 * making progress for lack of free frames.
 */
function nextToEvacuate(
  w: World,
  device: string,
  pid: number,
  stuck: number,
): Wait | { o: AnonObj; pages: number[] } | null {
  for (const { o, pages } of anonPagesOn(w, device)) {
    const movable: number[] = [];
    for (const i of pages) {
      const pg = o.page[i];
      if (!pg) continue;
      if (pg.pte.t === 'migration' && pg.pte.by !== pid)
        return { on: 'page', obj: o.name, page: i, holder: pg.pte.by };
      if (pg.lockedBy !== null && pg.lockedBy !== pid)
        return { on: 'page', obj: o.name, page: i, holder: pg.lockedBy };
      // A pinned page stays until its pin goes (release waits for that).
      const f = pteFrame(pg.pte) ?? -1;
      if ((w.frames[f]?.pins ?? 0) === 0) movable.push(i);
    }
    // migrate_device_range allocates with __GFP_NOFAIL: without a free frame in RAM the unbind
    // waits for memory (the OOM killer's or the user's business, not a deadlock).
    if (movable.length > 0 && stuck > 0 && freeCount(w, systemPool()) === 0)
      return { on: 'memory' };
    if (movable.length > 0) return { o, pages: movable };
  }
  return null;
}

/**
 * Surprise removal: the next object with anon pages in the device's memory (pinned ones too:
 * the memory is gone), or a migration to wait for first (it fails, its copy engine gone, and
 * puts the page back).
 */
function nextToPoison(w: World, device: string, pid: number): Wait | AnonObj | null {
  const first = anonPagesOn(w, device)[0];
  if (!first) return null;
  for (const i of first.pages) {
    const pte = first.o.page[i]?.pte;
    if (pte?.t === 'migration' && pte.by !== pid)
      return { on: 'page', obj: first.o.name, page: i, holder: pte.by };
  }
  return first.o;
}

function planPoisoning(w: World, p: Proc, s: St, poison: PoisonState): Plan {
  const step = planPoison(w, p, poison);
  if (typeof step !== 'function') return step;
  return () => {
    if (step()) s.poison = null;
    return PROGRESS;
  };
}

/** One step of a migration bringing the device's anon pages back to RAM. */
function planEvacuation(w: World, p: Proc, s: St): Plan {
  const mig = s.mig;
  if (!mig) return () => PROGRESS;
  const step = planMigration(w, p, mig);
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    if (r === null) return PROGRESS;
    s.mig = null;
    s.stuck = r.moved === 0 ? s.stuck + 1 : 0;
    return PROGRESS;
  };
}

/** Killing a pin-flag map waits for its importer's DMA in flight on the bo (p2p.md). */
function pinFlagDma(w: World, bo: BoObj): Wait | null {
  const ids = w.dma
    .filter((d) => d.obj === bo.name && w.importers[d.importer]?.objs[bo.name]?.vma?.pinned)
    .map((d) => d.id);
  return ids.length > 0 ? { on: 'dma', ids } : null;
}

/**
 * Before its bo is revoked, a device VMA is zapped through the mmu notifiers: mirrors and ODP
 * release their p2p maps as for any other invalidation (p2p.md).
 */
function planUnplugZap(w: World, p: Proc, s: St): Plan | null {
  const zap = planEventZap(w, p, s);
  if (typeof zap === 'function')
    return () => {
      zap();
      return PROGRESS;
    };
  if (zap) return zap;
  const bo = bosIn(w, s.device).find(
    (b) => b.vma && !s.done.includes(b.name) && !(s.zapped ?? []).includes(b.name),
  );
  if (!bo) return null;
  return () => {
    s.zap = newVmaZap(bo);
    return PROGRESS;
  };
}

export const devUnplug = defineOp<St>({
  name: 'dev.unplug',
  phases: ['gone', 'revoke', 'release'],
  start(w, a) {
    const d = liveDevice(w, a);
    if (isErrno(d)) return d;
    const surprise = optBool(a, 'surprise', false);
    if (surprise === null) return 'EINVAL';
    return {
      pc: 'run',
      st: { device: d.id, surprise, stage: 'gone', done: [], mig: null, poison: null, stuck: 0 },
    };
  },
  phaseOf: (_w, p) => p.st.stage,
  plan(w, p) {
    const s = p.st;
    const d = w.devices[s.device];
    if (!d) return failNow('ENODEV');
    if (s.stage === 'gone') {
      if (d.gone) return failNow('ENODEV');
      // Another device event (reset, suspend) finishes first.
      if (d.eventBy !== null && d.eventBy !== p.pid)
        return { on: 'proc', pid: d.eventBy, why: `${d.id} busy` };
      return () => {
        d.gone = true;
        d.frozen = true;
        // Work queued on a hung engine completes with an error; the unbind itself still runs.
        failJobs(w, d.id);
        claimDevice(d, 'unplugging', p.pid);
        emit(w, { type: 'dev.gone', device: d.id, surprise: s.surprise });
        if (s.surprise) {
          // The device is gone from the bus: its memory and engine with it. The loss is
          // reported at once (every importer mapping of it invalidated, its pages marked
          // lost); every access to it fails from now on.
          d.surprise = true;
          destroyVram(w, d.id);
          if (!ignoresCopyFailure(w, d.id)) reportVramLoss(w, d.id, true);
        }
        s.stage = 'revoke';
        return PROGRESS;
      };
    }
    if (s.stage === 'revoke') {
      if (s.mig) return planEvacuation(w, p, s);
      if (s.poison) return planPoisoning(w, p, s, s.poison);
      const zap = planUnplugZap(w, p, s);
      if (zap) return zap;
      const bo = bosIn(w, d.id).find((b) => !s.done.includes(b.name));
      if (bo) {
        const busy = lockBusy(w, resvLock(bo.name), p.pid) ?? pinFlagDma(w, bo);
        if (busy) return busy;
        return () => {
          tryLock(w, resvLock(bo.name), p.pid);
          revokeBo(w, bo);
          unlock(w, resvLock(bo.name), p.pid);
          s.done.push(bo.name);
          return PROGRESS;
        };
      }
      const poisons = s.surprise && !ignoresCopyFailure(w, d.id);
      if (poisons) {
        const next = nextToPoison(w, d.id, p.pid);
        if (next && 'on' in next) return next;
        if (next) {
          return () => {
            s.poison = newPoison(next, d.id);
            return PROGRESS;
          };
        }
      }
      const next = poisons ? null : nextToEvacuate(w, d.id, p.pid, s.stuck);
      if (next && 'on' in next) return next;
      if (next) {
        const { o, pages } = next;
        return () => {
          s.mig = newMigration({ obj: o.name, uid: o.uid, pages, to: 'system', owner: d.id });
          return PROGRESS;
        };
      }
      return () => {
        observe(w, { k: 'revoked', device: d.id, frames: deviceFrames(w, d.id) });
        emit(w, { type: 'dev.revoke', device: d.id });
        s.stage = 'release';
        return PROGRESS;
      };
    }
    const pinned = pinnedFrames(w, d.id);
    if (pinned.length > 0 && !w.faults['revocable-pinned']) return { on: 'unpin', frames: pinned };
    // memunmap_pages waits for every reference to the device's pages to be dropped: in-flight
    // DMA and processes holding them.
    const dma = w.dma.filter((x) => onDevice(w, x.f, d.id)).map((x) => x.id);
    if (dma.length > 0) return { on: 'dma', ids: dma };
    const holder = w.procs.find(
      (q) => q.pid !== p.pid && q.holds.some((f) => onDevice(w, f, d.id)),
    );
    if (holder) return { on: 'proc', pid: holder.pid, why: `references to ${d.id}'s memory` };
    // Pages that were pinned through revoke come back to RAM now.
    if (s.mig) return planEvacuation(w, p, s);
    const rest = pinned.length === 0 ? nextToEvacuate(w, d.id, p.pid, s.stuck) : null;
    if (rest && 'on' in rest) return rest;
    if (rest) {
      return () => {
        s.mig = newMigration({
          obj: rest.o.name,
          uid: rest.o.uid,
          pages: rest.pages,
          to: 'system',
          owner: d.id,
        });
        return PROGRESS;
      };
    }
    return () => {
      for (const bo of bosIn(w, d.id, 'vram')) {
        const old = bo.frames;
        bo.frames = old.map(() => w.dummyFrame);
        bo.cpu = bo.cpu.map(() => w.dummyFrame);
        for (const f of old) (w.frames[f]?.pins ? forceFree : releaseFrame)(w, f);
      }
      // What is still in the device's memory now goes with it (a pin the fault ignored).
      for (const { o, pages } of anonPagesOn(w, d.id)) {
        for (const i of pages) {
          const pg = o.page[i];
          const f = pg ? pteFrame(pg.pte) : null;
          if (f !== null) forceFree(w, f);
        }
      }
      releaseDevice(d, 'gone');
      emit(w, { type: 'dev.release', device: d.id });
      return done();
    };
  },
});
