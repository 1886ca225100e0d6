/**
 * pin_user_pages [mm/gup.c]: fault the range in (device-private pages back to RAM through
 * migrate_to_ram, device-exclusive pages back to the CPU), then pin. FOLL_LONGTERM also refuses
 * coherent device memory: __gup_longterm_locked pins, checks, unpins, migrates and retries, so
 * the pin and the check are one atomic step here.
 *
 * A write pin (FOLL_WRITE) write-faults each page first, breaking copy-on-write; a read-only pin
 * of a page the process shares with another (after fork) unshares it first (gup_must_unshare,
 * FAULT_FLAG_UNSHARE): either way the pinned page is the process's alone (PageAnonExclusive), so
 * a later write by either process cannot move the process off it. An access outside the VMA's
 * protection is EFAULT.
 */
import type { Errno } from '../world/errno.js';
import { freeCount, pinFrame, systemPool } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, Proc, Wait, World } from '../world/types.js';
import {
  type CowState,
  cowFaultStep,
  cowUnderWay,
  newCow,
  reuse,
  unshareNeed,
  writeNeed,
} from './cow.js';
import { memoryGone } from './engine.js';
import { newRestore, type RestoreState, restoreFaultStep } from './exclusive.js';
import { faultErrno, type MigState, newMigration, planMigration } from './migrate.js';
import { objOf } from './objects.js';
import { deviceOf, faultInAll, framesToFault, markDirty, whereIs } from './pages.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from './reclaim.js';

export interface GupState {
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  readonly pages: readonly number[];
  readonly longterm: boolean;
  /** FOLL_WRITE. */
  readonly write: boolean;
  stage: 'fault' | 'migrate';
  mig: MigState | null;
  /** Direct reclaim when faulting the pages in needs frames and RAM is full. */
  dr: DirectReclaim;
  /** A copy-on-write (or unshare) under way. */
  cow: CowState;
  /** Taking a page back from device-exclusive access. */
  rs: RestoreState;
}

export function newGup(
  importer: string,
  obj: string,
  uid: number,
  pages: readonly number[],
  longterm: boolean,
  write: boolean,
): GupState {
  return {
    importer,
    obj,
    uid,
    pages: [...pages],
    longterm,
    write,
    stage: 'fault',
    mig: null,
    dr: newDirectReclaim(),
    cow: newCow(),
    rs: newRestore(),
  };
}

export type GupStep = 'progress' | 'pinned' | Errno;

/** Pages that must go back to RAM before they may be pinned. */
function mustMigrate(w: World, o: AnonObj, g: GupState): number[] {
  return g.pages.filter((i) => {
    const pte = o.page[i]?.pte;
    if (pte?.t === 'devpriv') return true;
    if (pte?.t !== 'present' || deviceOf(w, pte.f) === null) return false;
    return g.longterm && !w.faults['longterm-pin-in-device-memory'];
  });
}

function lostMemory(w: World, o: AnonObj, page: number): boolean {
  const pte = o.page[page]?.pte;
  if (pte?.t === 'poison') return true;
  return (pte?.t === 'present' || pte?.t === 'devpriv') && memoryGone(w, pte.f);
}

function migrationWait(o: AnonObj, pages: readonly number[]): Wait | null {
  for (const i of pages) {
    const pte = o.page[i]?.pte;
    if (pte?.t === 'migration') return { on: 'page', obj: o.name, page: i, holder: pte.by };
  }
  return null;
}

/** What a page needs before the pin may take it: a write fault for a write pin, else an unshare. */
function cowNeed(w: World, o: AnonObj, g: GupState, i: number): 'none' | 'reuse' | 'copy' {
  return g.write ? writeNeed(w, o, i) : unshareNeed(w, o, i, g.longterm);
}

/** Every page present in memory the pin may point into, and the process's alone. */
function pinnable(w: World, o: AnonObj, g: GupState): boolean {
  return g.pages.every((i) => {
    const pte = o.page[i]?.pte;
    if (pte?.t !== 'present' || cowNeed(w, o, g, i) !== 'none') return false;
    const where = whereIs(w, pte.f);
    return (
      where === 'system' ||
      (where === 'coherent' && (!g.longterm || w.faults['longterm-pin-in-device-memory'] === true))
    );
  });
}

/** Whether the next step is fault work (phase fault) or the pin itself (phase pin). */
export function gupPhase(w: World, g: GupState): 'fault' | 'pin' {
  if (g.stage === 'migrate' || cowUnderWay(g.cow) || g.rs.stage !== 'idle') return 'fault';
  const o = objOf(w, g.obj, g.uid);
  return o?.kind === 'anon' && pinnable(w, o, g) ? 'pin' : 'fault';
}

export function planGup(w: World, p: Proc, g: GupState): Wait | (() => GupStep) {
  const reclaiming = reclaimUnderWay(w, p, g.dr) ?? reclaimUnderWay(w, p, g.cow.dr);
  if (reclaiming) return reclaiming;
  const o = objOf(w, g.obj, g.uid);
  if (o?.kind !== 'anon') return () => 'ENOENT';
  if (cowUnderWay(g.cow)) return cowFaultStep(w, p, o, g.cow.page, !g.write, g.cow);
  if (g.rs.stage !== 'idle') return restoreFaultStep(w, p, o, g.rs.page, g.rs);
  if (o.destroyed) return () => 'ENOENT';
  if (g.stage === 'migrate' && g.mig) {
    const mig = g.mig;
    const step = planMigration(w, p, mig);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === null) return 'progress';
      g.mig = null;
      g.stage = 'fault';
      if (r.error) return faultErrno(r.error);
      if (r.skipped > 0) return freeCount(w, systemPool()) === 0 ? 'ENOMEM' : 'EBUSY';
      return 'progress';
    };
  }
  // Outside the VMA's protection (munmapped; a write pin of a read-only range): -EFAULT.
  const denied = (i: number) => {
    const prot = o.page[i]?.prot;
    return prot === 'none' || (g.write && prot !== 'rw');
  };
  if (g.pages.some(denied)) return () => 'EFAULT';
  // A poisoned page, or memory of a device removed by surprise: VM_FAULT_SIGBUS, -EFAULT.
  if (g.pages.some((i) => lostMemory(w, o, i))) return () => 'EFAULT';
  if (pinnable(w, o, g)) return () => pin(w, o, g);
  const wait = migrationWait(o, g.pages);
  if (wait) return wait;
  const excl = g.pages.find((i) => o.page[i]?.pte.t === 'exclusive');
  if (excl !== undefined) return restoreFaultStep(w, p, o, excl, g.rs);
  const back = mustMigrate(w, o, g);
  if (back.length > 0) {
    return () => {
      g.mig = newMigration({ obj: o.name, uid: o.uid, pages: back, to: 'system' });
      g.stage = 'migrate';
      return 'progress';
    };
  }
  const shared = g.pages.find((i) => cowNeed(w, o, g, i) !== 'none');
  if (shared !== undefined) {
    if (cowNeed(w, o, g, shared) === 'copy') return cowFaultStep(w, p, o, shared, !g.write, g.cow);
    return () => {
      reuse(w, o, shared, !g.write);
      return 'progress';
    };
  }
  const reclaim = planDirectReclaim(w, p, framesToFault(w, o, g.pages), g.dr);
  if (reclaim) return reclaim;
  return () => {
    if (framesToFault(w, o, g.pages) > freeCount(w, systemPool())) return 'ENOMEM';
    if (!faultInAll(w, o, g.pages)) return 'ENOMEM';
    return 'progress';
  };
}

function pin(w: World, o: AnonObj, g: GupState): GupStep {
  const io = w.importers[g.importer]?.objs[g.obj];
  if (!io) return 'EINVAL';
  if (io.pin) return 'EALREADY';
  const frames: number[] = [];
  for (const i of g.pages) {
    const pg = o.page[i];
    if (pg?.pte.t !== 'present') return 'EFAULT';
    pinFrame(w, pg.pte.f);
    if (g.write) markDirty(pg);
    frames.push(pg.pte.f);
    emit(w, {
      type: 'page.pin',
      importer: g.importer,
      obj: o.key,
      page: i,
      longterm: g.longterm,
      write: g.write,
    });
  }
  io.pin = {
    pages: [...g.pages],
    frames,
    longterm: g.longterm,
    write: g.write,
    drops: g.pages.map((i) => o.page[i]?.drops ?? 0),
    cows: g.pages.map((i) => o.page[i]?.cows ?? 0),
    vram: false,
  };
  return 'pinned';
}
