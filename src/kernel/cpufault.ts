/**
 * The CPU's page-fault path for anonymous memory [mm/memory.c]: first touch (zero page),
 * swap-in, waiting on a migration entry, migrate_to_ram for a device-private page — which
 * takes a reference on the page first, so an eviction racing the fault skips it
 * (CVE-2022-3523) — a write to a write-protected page (copy-on-write, cow.ts) and taking a page
 * back from device-exclusive access (exclusive.ts). An access outside the VMA's protection
 * (munmapped, or a write to a read-only range) is SIGSEGV, EFAULT here.
 */
import type { Errno } from '../world/errno.js';
import { freeCount, getRef, putRef, systemPool } from '../world/frames.js';
import type { AnonObj, AnonPage, Proc, Wait, World } from '../world/types.js';
import {
  type CowState,
  cowFaultStep,
  cowUnderWay,
  letGoOfSource,
  newCow,
  reuse,
  writeNeed,
} from './cow.js';
import { memoryGone } from './engine.js';
import {
  abandonInvalidation,
  newRestore,
  type RestoreState,
  restoreFaultStep,
} from './exclusive.js';
import {
  dropHolds,
  type MigState,
  newMigration,
  planMigration,
  SELECT_PRIVATE,
} from './migrate.js';
import { deviceOf, framesToFault, populate, swapIn } from './pages.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from './reclaim.js';

export interface CpuFaultState {
  /** The device-private frame being migrated to RAM (held, with a reference unless faulty). */
  held: number | null;
  ref: boolean;
  mig: MigState | null;
  /** Direct reclaim when the page needs a frame and RAM is full. */
  dr: DirectReclaim;
  /** A copy-on-write under way (a write to a page shared after fork). */
  cow: CowState;
  /** Taking the page back from device-exclusive access. */
  rs: RestoreState;
}

export function newCpuFault(): CpuFaultState {
  return {
    held: null,
    ref: false,
    mig: null,
    dr: newDirectReclaim(),
    cow: newCow(),
    rs: newRestore(),
  };
}

/**
 * How the CPU reaches the page without the OS: a TLB hit (a write needs a dirty entry), or else
 * a walk of a present PTE (`dirty`: the PTE's dirty bit before the access, false if the PTE is
 * write-protected, so the TLB entry it fills cannot take a write). Null: it faults.
 */
export function cpuTarget(
  pg: AnonPage | undefined,
  write: boolean,
): { readonly f: number; readonly walk: boolean; readonly dirty: boolean } | null {
  if (!pg) return null;
  if (pg.tlb && (!write || pg.tlb.dirty)) return { f: pg.tlb.f, walk: false, dirty: pg.tlb.dirty };
  const pte = pg.pte;
  if (pte.t !== 'present' || (write && !pte.write)) return null;
  // A write-protected PTE fills a TLB entry that allows no writes (modelled as clean).
  return { f: pte.f, walk: true, dirty: pte.dirty && pte.write };
}

/** Can the CPU access the page without the OS (TLB hit or a present PTE the MMU can walk)? */
export function cpuAccessible(o: AnonObj, page: number, write: boolean): boolean {
  return cpuTarget(o.page[page], write) !== null;
}

/**
 * A direct reclaim the fault started (for its own frame or a copy's) finishes before anything
 * else, even when the object went away meanwhile: it holds a page lock and an invalidation.
 */
export function cpuFaultReclaiming(
  w: World,
  p: Proc,
  f: CpuFaultState,
): Wait | (() => 'progress') | null {
  return reclaimUnderWay(w, p, f.dr) ?? reclaimUnderWay(w, p, f.cow.dr);
}

export function cpuFaultPending(f: CpuFaultState): boolean {
  return (
    f.held !== null ||
    f.mig !== null ||
    f.dr.r !== null ||
    cowUnderWay(f.cow) ||
    f.rs.stage !== 'idle'
  );
}

export type FaultStep = 'progress' | Errno;

export function planCpuFault(
  w: World,
  p: Proc,
  o: AnonObj,
  page: number,
  f: CpuFaultState,
  write: boolean,
): Wait | (() => FaultStep) {
  const reclaiming = reclaimUnderWay(w, p, f.dr);
  if (reclaiming) return reclaiming;
  const pg = o.page[page];
  if (!pg) return () => 'EINVAL';
  if (cowUnderWay(f.cow)) return cowFaultStep(w, p, o, page, false, f.cow);
  if (f.rs.stage !== 'idle') return restoreFaultStep(w, p, o, page, f.rs);
  if (f.mig) {
    const mig = f.mig;
    const step = planMigration(w, p, mig);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === null) return 'progress';
      const held = f.held;
      f.mig = null;
      f.held = null;
      if (pg.lockedBy === p.pid) pg.lockedBy = null;
      if (held !== null) {
        if (f.ref) putRef(w, held);
        dropHolds(p, [held]);
      }
      f.ref = false;
      if (r.error) return 'EIO';
      if (r.moved === 0 && freeCount(w, systemPool()) === 0) return 'ENOMEM';
      return 'progress';
    };
  }
  if (f.held !== null) {
    const held = f.held;
    return () => {
      // migrate_to_ram of the page's own driver: MIGRATE_VMA_SELECT_DEVICE_PRIVATE, its pgmap.
      f.mig = newMigration({
        obj: o.name,
        uid: o.uid,
        pages: [page],
        to: 'system',
        ownRef: f.ref ? held : null,
        select: SELECT_PRIVATE,
        owner: deviceOf(w, held),
      });
      return 'progress';
    };
  }
  // No VMA (munmapped), or a write to a read-only one: SIGSEGV.
  if (pg.prot === 'none' || (write && pg.prot !== 'rw')) return () => 'EFAULT';
  const pte = pg.pte;
  if (pte.t === 'none' || pte.t === 'swap') {
    const reclaim = planDirectReclaim(w, p, framesToFault(w, o, [page]), f.dr);
    if (reclaim) return reclaim;
  }
  switch (pte.t) {
    case 'none':
      return () => (populate(w, o, page) ? 'progress' : 'ENOMEM');
    case 'swap':
      return () => (swapIn(w, o, page) ? 'progress' : 'ENOMEM');
    case 'migration':
      return { on: 'page', obj: o.name, page, holder: pte.by };
    case 'poison':
      return () => 'EIO';
    case 'devpriv':
      // The page's device was removed by surprise: its migrate_to_ram finds the device gone
      // (drm_dev_enter fails) and returns VM_FAULT_SIGBUS.
      if (memoryGone(w, pte.f)) return () => 'EIO';
      // do_swap_page: trylock the page (another fault holds it: wait for that one), then take
      // a reference while the PTL guarantees the page cannot be freed.
      // (The fault-without-page-ref fault is the code before 16ce101db85d: neither.)
      if (pg.lockedBy !== null && pg.lockedBy !== p.pid)
        return { on: 'page', obj: o.name, page, holder: pg.lockedBy };
      return () => {
        f.ref = !w.faults['fault-without-page-ref'];
        if (f.ref) pg.lockedBy = p.pid;
        f.held = pte.f;
        if (f.ref) getRef(w, pte.f);
        p.holds.push(pte.f);
        return 'progress';
      };
    case 'exclusive':
      return restoreFaultStep(w, p, o, page, f.rs);
    case 'present': {
      if (!write || pte.write) return () => 'progress';
      // do_wp_page: reuse the page in place, or copy it (wp_page_copy).
      if (writeNeed(w, o, page) === 'reuse') {
        return () => {
          reuse(w, o, page, false);
          return 'progress';
        };
      }
      return cowFaultStep(w, p, o, page, false, f.cow);
    }
  }
}

/** The object went away mid-fault: drop the reference and pointer the fault still holds. */
export function abandonCpuFault(
  w: World,
  p: Proc,
  f: CpuFaultState,
  o?: AnonObj,
  page?: number,
): void {
  const pg = o && page !== undefined ? o.page[page] : undefined;
  if (pg && pg.lockedBy === p.pid) pg.lockedBy = null;
  if (f.held !== null) {
    if (f.ref) putRef(w, f.held);
    dropHolds(p, [f.held]);
  }
  f.held = null;
  f.ref = false;
  f.mig = null;
  abandonInvalidation(w, p, o, f.cow.stage, f.cow.inv);
  letGoOfSource(w, p, f.cow);
  abandonInvalidation(w, p, o, f.rs.stage, f.rs.inv);
  f.cow.stage = 'idle';
  f.rs.stage = 'idle';
}
