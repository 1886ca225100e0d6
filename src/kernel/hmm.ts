/**
 * The mirror's mapping pattern [Documentation/mm/hmm.rst, mm/hmm.c]:
 *
 *   again:
 *     seq = mmu_interval_read_begin(sub)      sleeps while an invalidation covers sub
 *     hmm_range_fault(range)                  fault pages in, collect PFNs
 *     take driver lock
 *     if mmu_interval_read_retry(sub, seq):   under the lock invalidate() takes
 *         unlock; goto again
 *     program device PTEs; unlock
 *
 * hmm_range_fault waits on migration entries, returns a device-private page as is only when the
 * mirror's own device owns it (another owner's page is faulted back to RAM first), and returns
 * coherent pages as they are. A write fault (HMM_PFN_REQ_WRITE, the default for imp.map) breaks
 * copy-on-write first (cow.ts) and fails with EPERM on a read-only VMA; a read fault maps what the
 * CPU PTE allows. A device-exclusive page is taken back first (exclusive.ts). A munmapped range
 * is EFAULT.
 */
import type { Errno } from '../world/errno.js';
import { freeCount, systemPool } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, DevPte, Proc, Wait, World } from '../world/types.js';
import { type CowState, cowFaultStep, cowUnderWay, newCow, reuse, writeNeed } from './cow.js';
import { memoryGone } from './engine.js';
import { newRestore, type RestoreState, restoreFaultStep } from './exclusive.js';
import { assertHeld, driverLock, lockBusy, notifierLock, tryLock, unlock } from './locks.js';
import {
  faultErrno,
  type MigState,
  newMigration,
  planMigration,
  SELECT_PRIVATE,
} from './migrate.js';
import { readBegin, readBeginWait, readRetry } from './notifier.js';
import { importerConfig, keyOf, objOf } from './objects.js';
import { deviceOf, faultInAll, framesToFault, markDirty } from './pages.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from './reclaim.js';

export type MirrorStage = 'fault' | 'migrate' | 'lock' | 'retry' | 'program';

export interface MirrorMapState {
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  readonly pages: readonly number[];
  /** HMM_PFN_REQ_WRITE: the device will write. */
  readonly write: boolean;
  stage: MirrorStage;
  seq: number;
  /** The subscription read_begin was called on (its attach order): a new one is another. */
  sub: number | null;
  view: DevPte[];
  mig: MigState | null;
  /** Direct reclaim when faulting the pages in needs frames and RAM is full. */
  dr: DirectReclaim;
  /** A copy-on-write a write fault needs, under way. */
  cow: CowState;
  /** Taking a page back from device-exclusive access. */
  rs: RestoreState;
}

export function newMirrorMap(
  importer: string,
  obj: string,
  uid: number,
  pages: readonly number[],
  write: boolean,
): MirrorMapState {
  return {
    importer,
    obj,
    uid,
    pages: [...pages],
    write,
    cow: newCow(),
    rs: newRestore(),
    stage: 'fault',
    seq: -1,
    sub: null,
    view: [],
    mig: null,
    dr: newDirectReclaim(),
  };
}

export function mirrorPhase(m: MirrorMapState): 'fault' | 'commit' {
  return m.stage === 'fault' || m.stage === 'migrate' ? 'fault' : 'commit';
}

export type MirrorStep = 'progress' | 'mapped' | Errno;

function mirrorDevice(w: World, importer: string): string | null {
  return importerConfig(w, importer)?.device ?? null;
}

/**
 * Pages another device owns privately, and the mirror's own read-only ones a write needs:
 * hmm_range_fault faults them back to RAM.
 */
function foreignPrivate(w: World, o: AnonObj, m: MirrorMapState): number[] {
  const own = mirrorDevice(w, m.importer);
  return m.pages.filter((i) => {
    const pte = o.page[i]?.pte;
    if (pte?.t !== 'devpriv') return false;
    if (deviceOf(w, pte.f) !== own) return !w.faults['hmm-maps-foreign-private'];
    return m.write && !pte.write;
  });
}

function migrationWait(o: AnonObj, pages: readonly number[]): Wait | null {
  for (const i of pages) {
    const pte = o.page[i]?.pte;
    if (pte?.t === 'migration') return { on: 'page', obj: o.name, page: i, holder: pte.by };
  }
  return null;
}

export function planMirrorMap(w: World, p: Proc, m: MirrorMapState): Wait | (() => MirrorStep) {
  const reclaiming = reclaimUnderWay(w, p, m.dr) ?? reclaimUnderWay(w, p, m.cow.dr);
  if (reclaiming) return reclaiming;
  const o = objOf(w, m.obj, m.uid);
  const sub = w.importers[m.importer]?.objs[m.obj]?.sub;
  const dl = driverLock(m.importer);
  // A copy-on-write or restore under way finishes first (it holds an invalidation open).
  if (o?.kind === 'anon' && cowUnderWay(m.cow))
    return cowFaultStep(w, p, o, m.cow.page, false, m.cow);
  if (o?.kind === 'anon' && m.rs.stage !== 'idle')
    return restoreFaultStep(w, p, o, m.rs.page, m.rs);
  const replaced = m.stage !== 'fault' && m.sub !== null && sub?.order !== m.sub;
  if (m.stage !== 'migrate' && (o?.kind !== 'anon' || o.destroyed || !sub || replaced)) {
    // Gone under us: let go of the driver lock if this mapping holds it.
    return () => {
      unlock(w, dl, p.pid);
      return o?.kind === 'anon' && !o.destroyed ? 'EINVAL' : 'EFAULT';
    };
  }
  if (o?.kind !== 'anon') return () => 'EFAULT';
  switch (m.stage) {
    case 'fault': {
      const denied = protectionErrno(o, m);
      if (denied) return () => denied;
      const wait = readBeginWait(w, m.importer, m.obj) ?? migrationWait(o, m.pages);
      if (wait) return wait;
      const excl = m.pages.find((i) => o.page[i]?.pte.t === 'exclusive');
      if (excl !== undefined) return restoreFaultStep(w, p, o, excl, m.rs);
      const shared = m.write ? m.pages.find((i) => writeNeed(w, o, i) !== 'none') : undefined;
      if (shared !== undefined) {
        if (writeNeed(w, o, shared) === 'copy') return cowFaultStep(w, p, o, shared, false, m.cow);
        return () => {
          reuse(w, o, shared, false);
          return 'progress';
        };
      }
      // Foreign private pages go back to RAM first (that migration reclaims for itself).
      if (foreignPrivate(w, o, m).length === 0) {
        const reclaim = planDirectReclaim(w, p, framesToFault(w, o, m.pages), m.dr);
        if (reclaim) return reclaim;
      }
      return () => faultStep(w, o, m);
    }
    case 'migrate': {
      const mig = m.mig;
      if (!mig) {
        return () => {
          m.stage = 'fault';
          return 'progress';
        };
      }
      const step = planMigration(w, p, mig);
      if (typeof step !== 'function') return step;
      return () => {
        const r = step();
        if (r === null) return 'progress';
        m.mig = null;
        if (r.error) return faultErrno(r.error);
        if (r.moved === 0 && freeCount(w, systemPool()) === 0) return 'ENOMEM';
        m.stage = 'fault';
        return 'progress';
      };
    }
    case 'retry':
      return () => {
        if (retried(w, m)) return 'progress';
        m.stage = 'lock';
        return 'progress';
      };
    case 'lock': {
      const busy = lockBusy(w, dl, p.pid);
      if (busy) return busy;
      return () => {
        tryLock(w, dl, p.pid);
        m.stage = 'program';
        return 'progress';
      };
    }
    case 'program': {
      // mirror-lock-inversion: the notifier lock taken inside the driver lock, the reverse of
      // invalidate()'s order (notifier lock, then driver lock).
      const nl = notifierLock(m.importer);
      const inverted = w.faults['mirror-lock-inversion'] === true;
      if (inverted) {
        const busy = lockBusy(w, nl, p.pid);
        if (busy) return busy;
      }
      return () => {
        assertHeld(w, dl, p.pid, 'programming device PTEs');
        if (inverted) tryLock(w, nl, p.pid);
        const checkHere = !w.faults['retry-outside-lock'] && !w.faults['skip-read-retry'];
        if (checkHere && retried(w, m)) {
          if (inverted) unlock(w, nl, p.pid);
          unlock(w, dl, p.pid);
          return 'progress';
        }
        program(w, o, m);
        if (inverted) unlock(w, nl, p.pid);
        unlock(w, dl, p.pid);
        return 'mapped';
      };
    }
  }
}

/**
 * hmm_vma_walk_test / hmm_vma_fault: a munmapped (or PROT_NONE) range is EFAULT; a write fault
 * on a VMA without VM_WRITE is EPERM.
 */
function protectionErrno(o: AnonObj, m: MirrorMapState): 'EFAULT' | 'EPERM' | null {
  if (m.pages.some((i) => o.page[i]?.prot === 'none')) return 'EFAULT';
  if (m.write && m.pages.some((i) => o.page[i]?.prot !== 'rw')) return 'EPERM';
  return null;
}

/** read_retry: on a change, go back to read_begin. */
function retried(w: World, m: MirrorMapState): boolean {
  const changed = readRetry(w, m.importer, m.obj, m.seq);
  const key = keyOf(w, m.obj);
  emit(w, { type: 'sub.read_retry', importer: m.importer, obj: key, changed });
  if (changed) m.stage = 'fault';
  return changed;
}

function faultStep(w: World, o: AnonObj, m: MirrorMapState): MirrorStep {
  emit(w, { type: 'sub.read_begin', importer: m.importer, obj: o.key });
  m.seq = readBegin(w, m.importer, m.obj);
  m.sub = w.importers[m.importer]?.objs[m.obj]?.sub?.order ?? null;
  const foreign = foreignPrivate(w, o, m);
  if (foreign.length > 0) {
    m.mig = newMigration({
      obj: o.name,
      uid: o.uid,
      pages: foreign,
      to: 'system',
      select: SELECT_PRIVATE,
    });
    m.stage = 'migrate';
    return 'progress';
  }
  if (framesToFault(w, o, m.pages) > freeCount(w, systemPool())) return 'ENOMEM';
  if (!faultInAll(w, o, m.pages)) return 'ENOMEM';
  m.view = [];
  for (const i of m.pages) {
    const pg = o.page[i];
    // A poisoned page, or memory of a device removed by surprise: VM_FAULT_SIGBUS, -EFAULT.
    if (!pg || (pg.pte.t !== 'present' && pg.pte.t !== 'devpriv') || memoryGone(w, pg.pte.f))
      return 'EFAULT';
    // A write fault made the PTE writable (a read fault may find it write-protected).
    const write = pg.pte.write;
    if (m.write && !write) return 'progress';
    // A writable entry lets the device write: the PTE is dirtied now (the driver's
    // set_page_dirty), so reclaim writes the page back.
    if (write) markDirty(pg);
    const f = pg.pte.f;
    m.view.push({ f, tag: w.frames[f]?.tag ?? 0, write });
    emit(w, { type: 'devpt.view', importer: m.importer, obj: o.key, page: i });
  }
  m.stage = w.faults['retry-outside-lock'] ? 'retry' : 'lock';
  return 'progress';
}

function program(w: World, o: AnonObj, m: MirrorMapState): void {
  const io = w.importers[m.importer]?.objs[m.obj];
  if (!io) return;
  const device = mirrorDevice(w, m.importer);
  m.pages.forEach((page, k) => {
    const e = m.view[k];
    if (!e) return;
    io.pt[page] = e;
    emit(w, {
      type: 'devpt.set',
      importer: m.importer,
      obj: o.key,
      page,
      device,
      write: e.write,
    });
  });
}
