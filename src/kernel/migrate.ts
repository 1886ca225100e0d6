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
 * A page another process maps too (shared copy-on-write after fork) moves in every process, as
 * migrate_device_unmap's try_to_migrate does through the rmap: the other processes' ranges are
 * invalidated (MMU_NOTIFY_CLEAR, no owner) along with the migrating one, and their PTEs become
 * migration entries at collect and point at the new frame at commit. The model finds those
 * ranges when the migration starts and holds their mmap_lock for read until it ends (the
 * kernel's rmap walk needs no mmap_lock: slower, never less safe); a page whose other mappings
 * changed since, or are locked or in transit, is skipped.
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
  mappersOf,
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

/** Another process's mapping of a collected page (the rmap's other PTEs). */
export interface OtherMapping {
  readonly obj: string;
  readonly uid: number;
  readonly page: number;
  readonly dirty: boolean;
  readonly write: boolean;
}

/** Another process's range that maps pages the migration selected: invalidated with it. */
export interface RmapRange {
  readonly obj: string;
  readonly uid: number;
  readonly inv: InvState;
}

export interface Collected {
  readonly page: number;
  /** Source frame, or null for a hole (pte_none) migrated as a zero page. */
  readonly src: number | null;
  readonly dst: number;
  readonly dirty: boolean;
  /** The PTE allowed writes (it keeps that on either frame). */
  readonly write: boolean;
  readonly priv: boolean;
  /** The page's other mappings, moved with it. */
  readonly others: readonly OtherMapping[];
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
  /** The other processes' ranges sharing the selected pages (fixed when the migration starts). */
  rmap: RmapRange[];
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
    rmap: [],
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
      const others = sharingRanges(w, o, m);
      for (const r of others) {
        const busy = mmapReadWait(r.o, p.pid);
        if (busy) return busy;
      }
      return () => {
        mmapRead(o, p.pid);
        invalidateStart(w, m.inv, p.pid);
        for (const r of others) {
          mmapRead(r.o, p.pid);
          const inv = newInvalidation(r.o.name, true, 'clear', null, r.pages);
          invalidateStart(w, inv, p.pid);
          m.rmap.push({ obj: r.o.name, uid: r.o.uid, inv });
        }
        m.stage = nextInvalidation(m) ? 'invalidate' : 'unmap';
        return null;
      };
    }
    case 'invalidate': {
      const inv = nextInvalidation(m);
      if (!inv) {
        return () => {
          m.stage = 'unmap';
          return null;
        };
      }
      const call = planCallSubscriber(w, p, inv);
      if (typeof call !== 'function') return call;
      return () => {
        call();
        if (!nextInvalidation(m)) m.stage = 'unmap';
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

/** The invalidation with subscribers still to call: the migrating range's first, then the others'. */
function nextInvalidation(m: MigState): InvState | undefined {
  if (subscribersLeft(m.inv)) return m.inv;
  return m.rmap.find((r) => subscribersLeft(r.inv))?.inv;
}

/** The pages of other anon ranges than o that map frame f (none unless it is mapped twice). */
function otherMappers(w: World, o: AnonObj, f: number): { o: AnonObj; page: number }[] {
  if ((w.frames[f]?.maps ?? 0) < 2) return [];
  return mappersOf(w, f).filter((x) => x.o !== o);
}

/** The other processes' ranges that map a page the migration selected, with those pages. */
function sharingRanges(w: World, o: AnonObj, m: MigState): { o: AnonObj; pages: number[] }[] {
  const by = new Map<string, { o: AnonObj; pages: number[] }>();
  for (const page of m.pages) {
    const pte = o.page[page]?.pte;
    if (pte?.t !== 'present' && pte?.t !== 'devpriv') continue;
    for (const x of otherMappers(w, o, pte.f)) {
      const r = by.get(x.o.name) ?? { o: x.o, pages: [] };
      r.pages.push(x.page);
      by.set(x.o.name, r);
    }
  }
  return [...by.values()].sort((a, b) => (a.o.name < b.o.name ? -1 : 1));
}

/**
 * The other mappings of frame f that collect moves with o's page, or null when one of them
 * cannot move: outside the ranges invalidated at the start, locked, or not a plain mapping.
 */
function collectableOthers(
  w: World,
  o: AnonObj,
  m: MigState,
  f: number,
  pid: number,
): { o: AnonObj; page: number }[] | null {
  const xs = otherMappers(w, o, f);
  for (const x of xs) {
    const r = m.rmap.find((y) => y.obj === x.o.name && y.uid === x.o.uid);
    if (!r?.inv.pages?.includes(x.page)) return null;
    const pg = x.o.page[x.page];
    if (pg?.pte.t !== 'present' && pg?.pte.t !== 'devpriv') return null;
    if (pg.lockedBy !== null && pg.lockedBy !== pid) return null;
  }
  return xs;
}

/** Let go of the other ranges' mmap_lock (their invalidations ended at collect). */
function releaseRmap(w: World, m: MigState, pid: number): void {
  for (const r of m.rmap) {
    const x = objOf(w, r.obj, r.uid);
    if (x?.kind === 'anon') mmapReadUnlock(x, pid);
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
  // shmem: migrate_vma_pages moves anonymous pages only, and migrate_vma_insert_page fills no
  // hole of a shared VMA. The migrate-shmem-page fault drops the first check (the page
  // cache's page moves under it), not the second.
  if (o.shared && (pte.t === 'none' || !w.faults['migrate-shmem-page']))
    return m.to === 'vram' ? 'skip' : 'there';
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
    const cur = o.page[page]?.pte;
    const xs = kind === 'move' && cur && 'f' in cur ? collectableOthers(w, o, m, cur.f, p.pid) : [];
    if (kind === 'skip' || xs === null) {
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
      m.cols.push({
        page,
        src: null,
        dst,
        dirty: false,
        write: pg.prot === 'rw',
        priv: false,
        others: [],
      });
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
    const others = xs.map((x) => collectOther(w, x.o, x.page, p.pid));
    m.cols.push({ page, src: pte.f, dst, dirty: pte.dirty, write: pte.write, priv, others });
    emit(w, { type: 'page.migrate_collect', obj: o.key, page });
  }
  invalidateEnd(w, m.inv);
  for (const r of m.rmap) invalidateEnd(w, r.inv);
  if (m.cols.length === 0) {
    releaseRmap(w, m, p.pid);
    mmapReadUnlock(o, p.pid);
    return { moved: 0, skipped: m.skipped, error: null };
  }
  m.stage = 'copy';
  return null;
}

/** try_to_migrate_one: another process's PTE of the page becomes a migration entry too. */
function collectOther(w: World, x: AnonObj, page: number, pid: number): OtherMapping {
  const pg = x.page[page];
  const pte = pg?.pte;
  if (!pg || (pte?.t !== 'present' && pte?.t !== 'devpriv'))
    return { obj: x.name, uid: x.uid, page, dirty: false, write: false };
  setPte(w, pg, {
    t: 'migration',
    f: pte.f,
    dirty: pte.dirty,
    write: pte.write,
    by: pid,
    priv: pte.t === 'devpriv',
  });
  pg.lockedBy = pid;
  flushTlb(pg);
  emit(w, { type: 'page.migrate_collect', obj: x.key, page });
  return { obj: x.name, uid: x.uid, page, dirty: pte.dirty, write: pte.write };
}

/**
 * remove_migration_ptes for another process's mapping: the new frame on success, the old one
 * if the migration failed.
 */
function commitOther(
  w: World,
  c: Collected,
  x: OtherMapping,
  to: 'system' | 'private' | 'coherent' | null,
  device: string | null,
  pid: number,
): void {
  const o = objOf(w, x.obj, x.uid);
  const pg = o?.kind === 'anon' ? o.page[x.page] : undefined;
  if (o?.kind !== 'anon' || !pg) return;
  if (pg.pte.t === 'migration' && pg.pte.by === pid && c.src !== null) {
    if (to !== null) {
      movePte(w, o, x.page, c.src, c.dst, x, to, device);
    } else {
      restorePte(w, o, x.page, c.src, c.priv, x);
    }
  }
  if (pg.lockedBy === pid) pg.lockedBy = null;
}

/**
 * remove_migration_ptes with the new page: its PTE with the collected bits (the dirty bit
 * travels, unless drop-dirty-on-migrate); a source a reset destroyed while the migration waited
 * has lost the data.
 */
function movePte(
  w: World,
  o: AnonObj,
  page: number,
  src: number,
  dst: number,
  bits: { readonly dirty: boolean; readonly write: boolean },
  to: 'system' | 'private' | 'coherent',
  device: string | null,
): void {
  const pg = o.page[page];
  if (!pg) return;
  if (isGarbage(w, dst) && !ignoresCopyFailure(w, deviceOf(w, src))) markAnonLost(w, o, page);
  const dirty = w.faults['drop-dirty-on-migrate'] ? false : bits.dirty;
  setPte(w, pg, installPte(to, dst, dirty, bits.write));
  emit(w, { type: 'page.migrate_commit', obj: o.key, page, to, device });
}

/** remove_migration_ptes with the old page: the PTE as collect found it (or lost with it). */
function restorePte(
  w: World,
  o: AnonObj,
  page: number,
  src: number,
  priv: boolean,
  bits: { readonly dirty: boolean; readonly write: boolean },
): void {
  const pg = o.page[page];
  if (!pg) return;
  const pte = { f: src, dirty: bits.dirty, write: bits.write };
  setPte(w, pg, priv ? { t: 'devpriv', ...pte } : { t: 'present', ...pte });
  emit(w, { type: 'page.migrate_restore', obj: o.key, page });
  if (isGarbage(w, src)) markAnonLost(w, o, page);
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
    // The other processes' mappings first: the old frame is let go once none maps it.
    const move = ours && m.error === null;
    for (const x of c.others) commitOther(w, c, x, move ? toWhere : null, m.device, p.pid);
    if (ours && m.error === null) {
      movePte(w, o, c.page, c.src, c.dst, c, toWhere, m.device);
      // Still shared copy-on-write if another process moved with it.
      setAnonExclusive(w, c.dst, c.others.length === 0);
      m.moved += 1;
      releaseFrame(w, c.src);
    } else if (ours) {
      restorePte(w, o, c.page, c.src, c.priv, c);
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
  releaseRmap(w, m, p.pid);
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
