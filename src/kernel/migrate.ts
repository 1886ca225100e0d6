/**
 * Migration of anonymous pages between system RAM and device memory [mm/migrate_device.c]:
 *
 *   collect  invalidate_start; each subscriber's invalidate(); then under the PTL replace the
 *            PTEs by migration entries, take a reference and the page lock, flush the TLB,
 *            allocate destination frames; invalidate_end (mirrors are now held off by the
 *            migration entries, not by the sequence)
 *   copy     the copy engine copies source to destination
 *   commit   switch the PTEs to the new frames (the dirty bit travels), free the old frames
 *
 * A page with an extra reference (a pin, a fault in progress), a page locked by someone else,
 * a swapped page, a page in another device's private memory, or one without a free destination
 * frame is skipped and stays where it is.
 */
import type { Errno } from '../world/errno.js';
import {
  allocFrame,
  copyFrame,
  getRef,
  isGarbage,
  putRef,
  releaseFrame,
  systemPool,
  touch,
  vramPool,
} from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, Proc, Pte, Wait, World } from '../world/types.js';
import { type EngineSlot, engineStep, ignoresCopyFailure } from './engine.js';
import { driverLock, lockBusy, mmapRead, mmapReadUnlock, mmapReadWait } from './locks.js';
import { markAnonLost } from './loss.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  isOdd,
  newInvalidation,
  planCallSubscriber,
  subscribersLeft,
} from './notifier.js';
import { objOf } from './objects.js';
import { deviceOf, flushTlb, setAnonExclusive, setPte } from './pages.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from './reclaim.js';

export interface Collected {
  readonly page: number;
  /** Source frame, or null for a hole (pte_none) migrated as a zero page. */
  readonly src: number | null;
  readonly dst: number;
  readonly dirty: boolean;
  /** The PTE allowed writes (it keeps that on either frame). */
  readonly write: boolean;
  readonly priv: boolean;
}

export type MigStage = 'start' | 'invalidate' | 'unmap' | 'copy' | 'commit';

/**
 * Which pages a migration selects (migrate_vma's flags): system RAM pages
 * (MIGRATE_VMA_SELECT_SYSTEM), and device-private or device-coherent pages
 * (MIGRATE_VMA_SELECT_DEVICE_PRIVATE / _COHERENT) whose pgmap owner is the migration's owner.
 */
export interface MigSelect {
  readonly system: boolean;
  readonly private: boolean;
  readonly coherent: boolean;
}

export const SELECT_SYSTEM: MigSelect = { system: true, private: false, coherent: false };
export const SELECT_DEVICE: MigSelect = { system: false, private: true, coherent: true };
export const SELECT_PRIVATE: MigSelect = { system: false, private: true, coherent: false };

export interface MigState {
  readonly obj: string;
  readonly uid: number;
  readonly pages: readonly number[];
  readonly to: 'system' | 'vram';
  /** Destination device (to vram). */
  readonly device: string | null;
  /** A frame the initiator holds its own reference on (a CPU fault's page). */
  readonly ownRef: number | null;
  readonly select: MigSelect;
  /**
   * The pgmap owner (a device id) passed to migrate_vma and, with MMU_NOTIFY_MIGRATE, to the
   * notifier: device pages are selected only if that device owns them, and that device's own
   * mirrors skip the invalidation (the migration updates their page tables itself). Null: the
   * model's shorthand for "each page by its own device" (one migrate_to_ram per owner), which
   * no mirror skips.
   */
  readonly owner: string | null;
  stage: MigStage;
  inv: InvState;
  cols: Collected[];
  skipped: number;
  moved: number;
  /** TLB entries left unflushed by the flush-after-unlock fault. */
  unflushed: number[];
  error: Errno | null;
  /** The copy queued on a hung device's engine. */
  engine: EngineSlot;
  /** Direct reclaim of RAM for the destination frames (to system). */
  dr: DirectReclaim;
}

export interface MigSpec {
  readonly obj: string;
  readonly uid: number;
  readonly pages: readonly number[];
  readonly to: 'system' | 'vram';
  readonly device?: string | null;
  readonly ownRef?: number | null;
  /** Default: SELECT_SYSTEM to VRAM, SELECT_DEVICE to system (what the drivers pass). */
  readonly select?: MigSelect;
  /** Default: the destination device to VRAM, null to system. */
  readonly owner?: string | null;
}

export function newMigration(spec: MigSpec): MigState {
  const device = spec.device ?? null;
  const owner = spec.owner === undefined ? (spec.to === 'vram' ? device : null) : spec.owner;
  return {
    obj: spec.obj,
    uid: spec.uid,
    pages: [...spec.pages],
    to: spec.to,
    device,
    ownRef: spec.ownRef ?? null,
    select: spec.select ?? (spec.to === 'vram' ? SELECT_SYSTEM : SELECT_DEVICE),
    owner,
    stage: 'start',
    inv: newInvalidation(spec.obj, true, 'migrate', owner, spec.pages),
    cols: [],
    skipped: 0,
    moved: 0,
    unflushed: [],
    error: null,
    engine: { job: null },
    dr: newDirectReclaim(),
  };
}

export function migPhase(m: MigState): 'collect' | 'copy' | 'commit' {
  if (m.stage === 'copy') return 'copy';
  if (m.stage === 'commit') return 'commit';
  return 'collect';
}

export type MigResult = { moved: number; skipped: number; error: Errno | null };

/**
 * What a fault that needed migrate_to_ram gets when the migration failed. The driver's
 * migrate_to_ram returns VM_FAULT_SIGBUS when it cannot copy the page back (device hung or
 * gone): the CPU gets SIGBUS (EIO here), while gup (vm_fault_to_errno) and hmm_range_fault
 * (hmm_vma_fault: any VM_FAULT_ERROR) turn it into -EFAULT. Other errors pass through.
 */
export function faultErrno(error: Errno): Errno {
  return error === 'EIO' ? 'EFAULT' : error;
}

/** Plan one atomic step of a migration; the action returns the result once it is over. */
export function planMigration(w: World, p: Proc, m: MigState): Wait | (() => MigResult | null) {
  const reclaiming = reclaimUnderWay(w, p, m.dr);
  if (typeof reclaiming === 'function') {
    return () => {
      reclaiming();
      return null;
    };
  }
  if (reclaiming) return reclaiming;
  const o = objOf(w, m.obj, m.uid);
  if (o?.kind !== 'anon') return () => ({ moved: 0, skipped: m.pages.length, error: 'ENOENT' });
  if (m.stage === 'start' && o.destroyed) return () => ({ moved: 0, skipped: 0, error: 'ENOENT' });
  switch (m.stage) {
    case 'start': {
      const wait = mmapReadWait(o, p.pid);
      if (wait) return wait;
      return () => {
        mmapRead(o, p.pid);
        invalidateStart(w, m.inv, p.pid);
        m.stage = subscribersLeft(m.inv) ? 'invalidate' : 'unmap';
        return null;
      };
    }
    case 'invalidate': {
      const call = planCallSubscriber(w, p, m.inv);
      if (typeof call !== 'function') return call;
      return () => {
        call();
        if (!subscribersLeft(m.inv)) m.stage = 'unmap';
        return null;
      };
    }
    case 'unmap': {
      const wait = ownerMirrorWait(w, m, p.pid);
      if (wait) return wait;
      // Frames in RAM for what comes back are reclaimed if need be; what finds none is skipped.
      if (m.to === 'system') {
        const need = m.pages.filter((i) => classify(w, o, i, m, p.pid) === 'move').length;
        const reclaim = planDirectReclaim(w, p, need, m.dr);
        if (typeof reclaim !== 'function' && reclaim) return reclaim;
        if (reclaim) return () => (reclaim() === 'ENOMEM' ? unmap(w, p, o, m) : null);
      }
      return () => unmap(w, p, o, m);
    }
    case 'copy': {
      // A reset that force-completes the copy with an error puts every page back.
      const engine = engineStep<MigResult | null>(w, copyDevices(w, m), m.engine, null, () => {
        failMigration(m, 'EIO');
        return null;
      });
      if (engine) return engine;
      // The owner's mirror skipped its invalidate(), which would have drained its DMA: the
      // copy waits for DMA still in flight on the pages it collected.
      const ids = w.dma.filter((d) => m.cols.some((c) => c.src === d.f)).map((d) => d.id);
      if (ids.length > 0) return { on: 'dma', ids };
      return () => {
        for (const c of m.cols) {
          if (c.src !== null) copyFrame(w, c.src, c.dst, 'migrate copy');
        }
        m.stage = 'commit';
        return null;
      };
    }
    case 'commit':
      return () => commit(w, p, o, m);
  }
}

function copyDevices(w: World, m: MigState): string[] {
  const out = new Set<string>();
  for (const c of m.cols) {
    for (const f of [c.src, c.dst]) {
      const d = f === null ? null : deviceOf(w, f);
      if (d !== null) out.add(d);
    }
  }
  return [...out];
}

/** migrate_vma_collect_pmd's selection: is this present page one the migration may take? */
function selected(w: World, m: MigState, f: number, priv: boolean): boolean {
  const dev = deviceOf(w, f);
  if (dev === null) return m.select.system;
  if (!(priv ? m.select.private : m.select.coherent)) return false;
  return m.owner === null || m.owner === dev;
}

/** Whether a page should move, is already there, or must be skipped. */
function classify(
  w: World,
  o: AnonObj,
  page: number,
  m: MigState,
  pid: number,
): 'move' | 'hole' | 'there' | 'skip' {
  const pg = o.page[page];
  if (!pg) return 'skip';
  const pte = pg.pte;
  // munmapped meanwhile (a migration holds mmap_lock, so only before it started): no VMA.
  if (pg.prot === 'none') return 'skip';
  // shmem: migrate_vma_pages moves anonymous pages only (and fills no hole of a shared VMA).
  // The migrate-shmem-page fault moves them anyway, under the page cache's feet.
  if (o.shared && !w.faults['migrate-shmem-page']) return m.to === 'vram' ? 'skip' : 'there';
  if (pte.t === 'none') return m.to === 'vram' ? 'hole' : 'there';
  if (pte.t === 'swap') return m.to === 'vram' ? 'skip' : 'there';
  if (pte.t === 'migration' || pte.t === 'poison' || pte.t === 'exclusive') return 'skip';
  const f = pte.f;
  const dev = deviceOf(w, f);
  if (m.to === 'system' && dev === null) return 'there';
  if (m.to === 'vram' && dev === m.device) return 'there';
  if (!selected(w, m, f, pte.t === 'devpriv')) return 'skip';
  const fr = w.frames[f];
  if (!fr) return 'skip';
  if (fr.pins > 0 && !w.faults['migrate-ignores-pin']) return 'skip';
  const own = m.ownRef === f ? 1 : 0;
  if (fr.refs - own > 0) return 'skip';
  if (pg.lockedBy !== null && pg.lockedBy !== pid) return 'skip';
  return 'move';
}

/**
 * The owner's own mirrors skipped the invalidation (MMU_NOTIFY_MIGRATE from their own device):
 * the migrating driver updates their page tables itself, as it collects each page (test_hmm's
 * dmirror_devmem_fault_alloc_and_copy, nouveau's and amdgpu's SVM migration paths).
 */
function ownerMirrors(w: World, m: MigState): string[] {
  if (m.owner === null) return [];
  const out: string[] = [];
  for (const ic of w.config.importers) {
    if (ic.kind !== 'mirror' || ic.device !== m.owner) continue;
    if (w.importers[ic.id]?.objs[m.obj]?.sub) out.push(ic.id);
  }
  return out;
}

/** The owner's mirror must not be programming its page table while the migration collects. */
function ownerMirrorWait(w: World, m: MigState, pid: number): Wait | null {
  for (const importer of ownerMirrors(w, m)) {
    const busy = lockBusy(w, driverLock(importer), pid);
    if (busy) return busy;
  }
  return null;
}

/** Zap the owner's mirrors' entries for a collected page and bump their sequence (set_seq). */
function zapOwnerMirrors(w: World, o: AnonObj, m: MigState, page: number): void {
  for (const importer of ownerMirrors(w, m)) {
    const io = w.importers[importer]?.objs[m.obj];
    if (!io?.sub) continue;
    // set_seq as invalidate() would: with the sequence odd (mmu_interval_set_seq's cur_seq).
    if (isOdd(w.mm.seq)) io.sub.seq = w.mm.seq;
    if (io.pt[page] === null || io.pt[page] === undefined) continue;
    io.pt[page] = null;
    emit(w, { type: 'devpt.zap', importer, obj: o.key, page });
  }
}

function unmap(w: World, p: Proc, o: AnonObj, m: MigState): MigResult | null {
  const pool = m.to === 'vram' && m.device !== null ? vramPool(m.device) : systemPool();
  for (const page of m.pages) {
    const kind = classify(w, o, page, m, p.pid);
    if (kind === 'there') continue;
    if (kind === 'skip') {
      m.skipped += 1;
      continue;
    }
    const dst = allocFrame(w, pool, { obj: o.name, page });
    if (dst === null) {
      m.skipped += 1;
      continue;
    }
    p.holds.push(dst);
    const pg = o.page[page];
    if (!pg) continue;
    if (kind === 'hole') {
      m.cols.push({ page, src: null, dst, dirty: false, write: pg.prot === 'rw', priv: false });
      continue;
    }
    const pte = pg.pte;
    if (pte.t !== 'present' && pte.t !== 'devpriv') continue;
    touch(w, pte.f, 'migrate collect');
    getRef(w, pte.f);
    p.holds.push(pte.f);
    const priv = pte.t === 'devpriv';
    setPte(w, pg, {
      t: 'migration',
      f: pte.f,
      dirty: pte.dirty,
      write: pte.write,
      by: p.pid,
      priv,
    });
    pg.lockedBy = p.pid;
    zapOwnerMirrors(w, o, m, page);
    if (w.faults['flush-after-unlock']) m.unflushed.push(page);
    else flushTlb(pg);
    m.cols.push({ page, src: pte.f, dst, dirty: pte.dirty, write: pte.write, priv });
    emit(w, { type: 'page.migrate_collect', obj: o.key, page });
  }
  invalidateEnd(w, m.inv);
  if (m.cols.length === 0) {
    mmapReadUnlock(o, p.pid);
    return { moved: 0, skipped: m.skipped, error: null };
  }
  m.stage = 'copy';
  return null;
}

/** The copy failed (engine reset): put every page back where it was. */
export function failMigration(m: MigState, error: Errno): void {
  m.error = error;
  m.stage = 'commit';
}

function commit(w: World, p: Proc, o: AnonObj, m: MigState): MigResult {
  // A device frozen for suspend (or going away) takes no new data: the migration fails whole.
  const dst = m.to === 'vram' && m.device !== null ? w.devices[m.device] : undefined;
  if (dst?.frozen && m.error === null) m.error = 'EBUSY';
  // A reset destroyed the copy in the destination while the source is intact: keep the source.
  // (A hole's destination is the zero page it would map: destroyed, it is lost the same way.)
  const copyLost = m.cols.some(
    (c) => isGarbage(w, c.dst) && (c.src === null || !isGarbage(w, c.src)),
  );
  if (copyLost && m.error === null) m.error = 'EIO';
  for (const page of m.unflushed) {
    const pg = o.page[page];
    if (pg) flushTlb(pg);
  }
  const toWhere = m.to === 'vram' && m.device !== null ? whereOfDevice(w, m.device) : 'system';
  for (const c of m.cols) {
    const pg = o.page[c.page];
    const pte = pg?.pte;
    if (!pg || !pte) continue;
    if (c.src === null) {
      if (pte.t === 'none' && m.error === null) {
        setPte(w, pg, installPte(toWhere, c.dst, false, c.write));
        setAnonExclusive(w, c.dst, true);
        m.moved += 1;
        emit(w, {
          type: 'page.migrate_commit',
          obj: o.key,
          page: c.page,
          to: toWhere,
          device: m.device,
        });
      } else {
        releaseFrame(w, c.dst);
        if (m.error === null) m.skipped += 1;
      }
      continue;
    }
    const ours = pte.t === 'migration' && pte.by === p.pid;
    if (ours && m.error === null) {
      const dirty = w.faults['drop-dirty-on-migrate'] ? false : c.dirty;
      // The source was destroyed by a reset while the migration waited: the data is lost.
      if (isGarbage(w, c.dst) && !ignoresCopyFailure(w, deviceOf(w, c.src))) {
        markAnonLost(w, o, c.page);
      }
      setPte(w, pg, installPte(toWhere, c.dst, dirty, c.write));
      setAnonExclusive(w, c.dst, true);
      emit(w, {
        type: 'page.migrate_commit',
        obj: o.key,
        page: c.page,
        to: toWhere,
        device: m.device,
      });
      m.moved += 1;
      releaseFrame(w, c.src);
    } else if (ours) {
      setPte(
        w,
        pg,
        c.priv
          ? { t: 'devpriv', f: c.src, dirty: c.dirty, write: c.write }
          : { t: 'present', f: c.src, dirty: c.dirty, write: c.write },
      );
      emit(w, { type: 'page.migrate_restore', obj: o.key, page: c.page });
      if (isGarbage(w, c.src)) markAnonLost(w, o, c.page);
      releaseFrame(w, c.dst);
    } else {
      releaseFrame(w, c.dst);
    }
    if (pg.lockedBy === p.pid) pg.lockedBy = null;
    // migrate-restore-leaks-ref: a page put back keeps the reference collect took.
    if (ours && m.error !== null && w.faults['migrate-restore-leaks-ref']) continue;
    putRef(w, c.src);
  }
  dropHolds(
    p,
    m.cols.flatMap((c) => (c.src === null ? [c.dst] : [c.src, c.dst])),
  );
  mmapReadUnlock(o, p.pid);
  return { moved: m.moved, skipped: m.skipped, error: m.error };
}

function whereOfDevice(w: World, device: string): 'private' | 'coherent' {
  return w.config.devices.find((d) => d.id === device)?.memory === 'coherent'
    ? 'coherent'
    : 'private';
}

function installPte(
  where: 'system' | 'private' | 'coherent',
  f: number,
  dirty: boolean,
  write: boolean,
): Pte {
  return where === 'private'
    ? { t: 'devpriv', f, dirty, write }
    : { t: 'present', f, dirty, write };
}

/** Forget frame pointers the process no longer holds (one occurrence each). */
export function dropHolds(p: Proc, frames: readonly number[]): void {
  for (const f of frames) {
    const i = p.holds.indexOf(f);
    if (i >= 0) p.holds.splice(i, 1);
  }
}
