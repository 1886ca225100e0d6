/**
 * imp.exclusive: a mirror takes one anon page for device atomics (make_device_exclusive, as
 * lib/test_hmm.c's dmirror_exclusive uses it), phases fault and exclusive:
 *
 *   fault      a write fault on the page (FOLL_WRITE: first touch, swap-in, migrate_to_ram,
 *              copy-on-write, taking back an earlier exclusive entry)
 *   exclusive  mmap_lock for read; invalidate_range_start(MMU_NOTIFY_EXCLUSIVE) and each
 *              subscriber's invalidate() — this mirror's too: test_hmm does not filter it, so its
 *              old entry goes and a mapping of it racing this one retries; then, if the page is
 *              still mapped writable, the CPU PTE becomes a device-exclusive entry;
 *              invalidate_end; then, once the subscription is in the interval tree (not deferred
 *              by an invalidation running when it was inserted), under the driver lock the atomic
 *              entry is programmed — if the CPU PTE is still this device's exclusive entry
 *              (dmirror_atomic_map runs with the folio still locked); otherwise all over again
 *
 * The device then works on the page in its own cache until a CPU access takes it back
 * (exclusive.ts). EFAULT outside the VMA's protection (a read-only range included); EOPNOTSUPP
 * for a page in device-coherent memory (the model hands only system RAM to a device this way)
 * and for a page of a shared mapping (shmem is not anon);
 * EBUSY for a pinned page (its pinner could reach it behind the device's back).
 */
import { asPlan, defineOp, done, failed, failNow, PROGRESS } from '../exec/op.js';
import {
  abandonCpuFault,
  type CpuFaultState,
  cpuFaultPending,
  cpuFaultReclaiming,
  newCpuFault,
  planCpuFault,
} from '../kernel/cpufault.js';
import {
  driverLock,
  lockBusy,
  mmapRead,
  mmapReadUnlock,
  mmapReadWait,
  tryLock,
  unlock,
} from '../kernel/locks.js';
import {
  type InvState,
  invalidateEnd,
  invalidateStart,
  newInvalidation,
  planCallSubscriber,
  readBeginWait,
  subscribersLeft,
} from '../kernel/notifier.js';
import { objOf } from '../kernel/objects.js';
import { flushTlb, setPte, whereIs } from '../kernel/pages.js';
import { emit } from '../world/log.js';
import type { AnonObj, Proc, World } from '../world/types.js';
import { importerCfg, int, isErrno, liveObj, pageIn } from './args.js';
import { deviceErrno } from './device-state.js';

interface St {
  readonly importer: string;
  readonly device: string;
  readonly obj: string;
  readonly uid: number;
  readonly page: number;
  stage: 'fault' | 'lock' | 'invalidate' | 'commit' | 'program';
  fault: CpuFaultState;
  inv: InvState;
}

function writable(o: AnonObj, page: number): boolean {
  const pte = o.page[page]?.pte;
  return pte?.t === 'present' && pte.write;
}

/**
 * Install the device-exclusive entry (the PTL and folio lock held); 'retry' if the page
 * changed, EBUSY if somebody pins it.
 */
function install(w: World, o: AnonObj, s: St): 'ok' | 'retry' | 'EBUSY' {
  const pg = o.page[s.page];
  const pte = pg?.pte;
  // folio_walk_start re-checks the page is still mapped writable (and, here, in RAM);
  // otherwise fault again.
  if (!pg || pte?.t !== 'present' || !pte.write || whereIs(w, pte.f) !== 'system') return 'retry';
  // A pinned page could be read and written by its pinner behind the device's back (the
  // kernel leaves "other references, for example an earlier GUP" to the caller; the model
  // refuses).
  if ((w.frames[pte.f]?.pins ?? 0) > 0) return 'EBUSY';
  flushTlb(pg);
  // make_device_exclusive looks the page up with FOLL_WRITE | FOLL_TOUCH, which dirties the
  // folio (follow_page_pte), and restore_exclusive_pte maps it back dirty: the device may write,
  // so reclaim must write the page out again, not keep an older swap copy.
  setPte(w, pg, { t: 'exclusive', f: pte.f, dirty: true, write: true, importer: s.importer });
  emit(w, { type: 'page.exclusive', obj: o.key, page: s.page, importer: s.importer });
  emit(w, { type: 'devpt.view', importer: s.importer, obj: o.key, page: s.page });
  return 'ok';
}

/**
 * Program the atomic entry under the driver lock, if the CPU PTE is still this device's
 * exclusive entry (an invalidation that took it back had to call this mirror, under this lock).
 */
function program(w: World, p: Proc, o: AnonObj, s: St): 'done' | 'retry' | 'EINVAL' {
  const io = w.importers[s.importer]?.objs[s.obj];
  const pte = o.page[s.page]?.pte;
  tryLock(w, driverLock(s.importer), p.pid);
  let r: 'done' | 'retry' | 'EINVAL' = 'retry';
  if (!io?.sub) r = 'EINVAL';
  // (mprotect leaves the exclusive entry alone; the device must not get write access then.)
  else if (pte?.t === 'exclusive' && pte.importer === s.importer && o.page[s.page]?.prot === 'rw') {
    // Programmed again over its own atomic entry: what the device holds in its cache stays.
    const prev = io.pt[s.page];
    const held = prev?.f === pte.f && prev.held !== undefined ? { held: prev.held } : {};
    io.pt[s.page] = {
      f: pte.f,
      tag: w.frames[pte.f]?.tag ?? 0,
      write: true,
      atomic: true,
      ...held,
    };
    emit(w, {
      type: 'devpt.set',
      importer: s.importer,
      obj: o.key,
      page: s.page,
      device: s.device,
      write: true,
    });
    r = 'done';
  }
  unlock(w, driverLock(s.importer), p.pid);
  return r;
}

export const impExclusive = defineOp<St>({
  name: 'imp.exclusive',
  phases: ['fault', 'exclusive'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const page = int(a, 'page');
    if (ic.kind !== 'mirror' || ic.device === null || o.kind !== 'anon') return 'EINVAL';
    if (!pageIn(o, page) || !w.importers[ic.id]?.objs[o.name]?.sub) return 'EINVAL';
    const err = deviceErrno(w, ic.device);
    if (err) return err;
    return {
      pc: 'run',
      st: {
        importer: ic.id,
        device: ic.device,
        obj: o.name,
        uid: o.uid,
        page,
        stage: 'fault',
        fault: newCpuFault(),
        inv: newInvalidation(o.name, true, 'exclusive'),
      },
    };
  },
  phaseOf: (_w, p) => (p.st.stage === 'fault' ? 'fault' : 'exclusive'),
  plan(w, p) {
    const s = p.st;
    const reclaiming = cpuFaultReclaiming(w, p, s.fault);
    if (reclaiming) return asPlan(reclaiming);
    const o = objOf(w, s.obj, s.uid);
    if (o?.kind !== 'anon') {
      return () => {
        abandonCpuFault(w, p, s.fault);
        return failed('ENOENT');
      };
    }
    switch (s.stage) {
      case 'fault': {
        if (o.destroyed && !cpuFaultPending(s.fault)) {
          return () => {
            abandonCpuFault(w, p, s.fault, o, s.page);
            return failed('ENOENT');
          };
        }
        if (!cpuFaultPending(s.fault) && writable(o, s.page)) {
          // The model hands only system RAM to a device for atomics (a device-coherent page
          // already is the device's memory); make_device_exclusive takes anon pages only (not
          // shmem), after faulting them in.
          const pte = o.page[s.page]?.pte;
          if (pte?.t === 'present' && (o.shared || whereIs(w, pte.f) !== 'system'))
            return failNow('EOPNOTSUPP');
          return () => {
            s.stage = 'lock';
            return PROGRESS;
          };
        }
        const step = planCpuFault(w, p, o, s.page, s.fault, true);
        if (typeof step !== 'function') return step;
        return () => {
          const r = step();
          if (r === 'progress') return PROGRESS;
          abandonCpuFault(w, p, s.fault, o, s.page);
          return failed(r);
        };
      }
      case 'lock': {
        if (o.destroyed) return failNow('ENOENT');
        const wait = mmapReadWait(o, p.pid);
        if (wait) return wait;
        return () => {
          mmapRead(o, p.pid);
          s.inv = newInvalidation(o.name, true, 'exclusive', null, [s.page]);
          invalidateStart(w, s.inv, p.pid);
          s.stage = subscribersLeft(s.inv) ? 'invalidate' : 'commit';
          return PROGRESS;
        };
      }
      case 'invalidate': {
        const call = planCallSubscriber(w, p, s.inv);
        if (typeof call !== 'function') return call;
        return () => {
          call();
          if (!subscribersLeft(s.inv)) s.stage = 'commit';
          return PROGRESS;
        };
      }
      case 'commit':
        return () => {
          const r = install(w, o, s);
          invalidateEnd(w, s.inv);
          mmapReadUnlock(o, p.pid);
          if (r === 'EBUSY') return failed(r);
          s.stage = r === 'ok' ? 'program' : 'fault';
          return PROGRESS;
        };
      case 'program': {
        if (!w.importers[s.importer]?.objs[s.obj]?.sub) return failNow('EINVAL');
        // A subscription inserted during an invalidation is not called until they all end.
        const wait =
          readBeginWait(w, s.importer, s.obj) ?? lockBusy(w, driverLock(s.importer), p.pid);
        if (wait) return wait;
        return () => {
          const r = program(w, p, o, s);
          if (r === 'retry') {
            s.stage = 'fault';
            return PROGRESS;
          }
          return r === 'done' ? done() : failed(r);
        };
      }
    }
  },
});
