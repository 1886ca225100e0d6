import type { World } from '../../src/world/types.js';
import type { Invariant } from './types.js';

/**
 * lockdep's "WARNING: lock held when returning to user space!" (lockdep_sys_exit): an operation
 * that has returned holds nothing it took. Every lock the model gives an owner (a page lock, a
 * migration entry, mmap_lock, an importer's driver and notifier locks, a bo's dma_resv and move
 * ownership, a device's event), and every invalidation it opened (active_invalidate_ranges),
 * must be let go on every path out, error paths included. Steps are atomic, so a lock kept past
 * the return changes nothing until someone else needs it; this sees it on the step that returns.
 *
 * What an operation may leave behind by design is not a lock: DMA it issued (it completes on its
 * own), a user job it submitted, a move's fence (the copy engine signals it).
 */
export const kernelNoLockOnReturn: Invariant = {
  name: 'Kernel.NoLockOnReturn',
  statement:
    'an operation that returns holds no lock (page lock, migration entry, mmap_lock, driver or notifier lock, dma_resv, bo move, device event) and no open invalidation',
  check({ w, finished }) {
    if (finished === null) return null;
    const held = heldBy(w, finished.pid);
    if (held === null) return null;
    return {
      message: `${finished.label} (${finished.op}, pid ${finished.pid}) returned holding ${held.what}`,
      ...(held.obj ? { objs: [held.obj] } : {}),
      ...(held.importer ? { importers: [held.importer] } : {}),
    };
  },
};

interface Held {
  readonly what: string;
  readonly obj?: string;
  readonly importer?: string;
}

/** The first thing pid still holds, or null. */
export function heldBy(w: World, pid: number): Held | null {
  for (const r of w.mm.ranges) {
    if (r.by === pid) return { what: `an open invalidation of ${r.obj}`, obj: r.obj };
  }
  for (const id in w.importers) {
    const imp = w.importers[id];
    if (imp?.driverLock === pid) return { what: `${id}'s driver lock`, importer: id };
    if (imp?.notifierLock === pid) return { what: `${id}'s notifier lock`, importer: id };
  }
  for (const id in w.devices) {
    if (w.devices[id]?.eventBy === pid) return { what: `${id}'s device event` };
  }
  for (const name in w.objects) {
    const o = w.objects[name];
    if (!o) continue;
    if (o.kind === 'bo') {
      if (o.resv === pid) return { what: `${name}'s dma_resv`, obj: name };
      if (o.movingBy === pid) return { what: `${name}'s move`, obj: name };
      continue;
    }
    if (o.kind !== 'anon') continue;
    if (o.mmap.writer === pid || o.mmap.readers.includes(pid)) {
      return { what: `the mmap_lock of ${name}`, obj: name };
    }
    for (let i = 0; i < o.page.length; i++) {
      const pg = o.page[i];
      if (pg?.lockedBy === pid) return { what: `the page lock of ${name} page ${i}`, obj: name };
      if (pg?.pte.t === 'migration' && pg.pte.by === pid) {
        return { what: `a migration entry for ${name} page ${i}`, obj: name };
      }
    }
  }
  return null;
}
