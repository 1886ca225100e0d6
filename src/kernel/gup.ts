/**
 * pin_user_pages [mm/gup.c]: fault the range in (device-private pages back to RAM through
 * migrate_to_ram), then pin. FOLL_LONGTERM also refuses coherent device memory:
 * __gup_longterm_locked pins, checks, unpins, migrates and retries, so the pin and the check are
 * one atomic step here.
 */
import type { Errno } from '../world/errno.js';
import { freeCount, pinFrame, systemPool } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, Proc, Wait, World } from '../world/types.js';
import { memoryGone } from './engine.js';
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
  stage: 'fault' | 'migrate';
  mig: MigState | null;
  /** Direct reclaim when faulting the pages in needs frames and RAM is full. */
  dr: DirectReclaim;
}

export function newGup(
  importer: string,
  obj: string,
  uid: number,
  pages: readonly number[],
  longterm: boolean,
): GupState {
  return {
    importer,
    obj,
    uid,
    pages: [...pages],
    longterm,
    stage: 'fault',
    mig: null,
    dr: newDirectReclaim(),
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

/** Every page present in memory the pin may point into. */
function pinnable(w: World, o: AnonObj, g: GupState): boolean {
  return g.pages.every((i) => {
    const pte = o.page[i]?.pte;
    if (pte?.t !== 'present') return false;
    const where = whereIs(w, pte.f);
    return (
      where === 'system' ||
      (where === 'coherent' && (!g.longterm || w.faults['longterm-pin-in-device-memory'] === true))
    );
  });
}

/** Whether the next step is fault work (phase fault) or the pin itself (phase pin). */
export function gupPhase(w: World, g: GupState): 'fault' | 'pin' {
  if (g.stage === 'migrate') return 'fault';
  const o = objOf(w, g.obj, g.uid);
  return o?.kind === 'anon' && pinnable(w, o, g) ? 'pin' : 'fault';
}

export function planGup(w: World, p: Proc, g: GupState): Wait | (() => GupStep) {
  const reclaiming = reclaimUnderWay(w, p, g.dr);
  if (reclaiming) return reclaiming;
  const o = objOf(w, g.obj, g.uid);
  if (o?.kind !== 'anon' || o.destroyed) return () => 'ENOENT';
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
  // A poisoned page, or memory of a device removed by surprise: VM_FAULT_SIGBUS, -EFAULT.
  if (g.pages.some((i) => lostMemory(w, o, i))) return () => 'EFAULT';
  if (pinnable(w, o, g)) return () => pin(w, o, g);
  const wait = migrationWait(o, g.pages);
  if (wait) return wait;
  const back = mustMigrate(w, o, g);
  if (back.length > 0) {
    return () => {
      g.mig = newMigration({ obj: o.name, uid: o.uid, pages: back, to: 'system' });
      g.stage = 'migrate';
      return 'progress';
    };
  }
  const reclaim = planDirectReclaim(w, p, framesToFault(o, g.pages), g.dr);
  if (reclaim) return reclaim;
  return () => {
    if (framesToFault(o, g.pages) > freeCount(w, systemPool())) return 'ENOMEM';
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
    markDirty(pg);
    frames.push(pg.pte.f);
    emit(w, { type: 'page.pin', importer: g.importer, obj: o.key, page: i, longterm: g.longterm });
  }
  io.pin = { pages: [...g.pages], frames, longterm: g.longterm, vram: false };
  return 'pinned';
}
