/** Locks with owners: an importer's driver update lock and notifier lock, a bo's dma_resv. */
import type { AnonObj, Wait, World } from '../world/types.js';

export type LockName = `driver:${string}` | `notifier:${string}` | `resv:${string}`;

export function lockHolder(w: World, lock: string): number | null {
  const [kind, id] = splitLock(lock);
  if (kind === 'driver') return w.importers[id]?.driverLock ?? null;
  if (kind === 'notifier') return w.importers[id]?.notifierLock ?? null;
  const o = w.objects[id];
  return o?.kind === 'bo' ? o.resv : null;
}

function splitLock(lock: string): [string, string] {
  const i = lock.indexOf(':');
  return [lock.slice(0, i), lock.slice(i + 1)];
}

function setHolder(w: World, lock: string, pid: number | null): void {
  const [kind, id] = splitLock(lock);
  if (kind === 'driver') {
    const imp = w.importers[id];
    if (imp) imp.driverLock = pid;
  } else if (kind === 'notifier') {
    const imp = w.importers[id];
    if (imp) imp.notifierLock = pid;
  } else {
    const o = w.objects[id];
    if (o?.kind === 'bo') o.resv = pid;
  }
}

/** Take the lock if it is free (or already ours); otherwise the wait to report. */
export function tryLock(w: World, lock: LockName, pid: number): Wait | null {
  const h = lockHolder(w, lock);
  if (h !== null && h !== pid) return { on: 'lock', lock, holder: h };
  setHolder(w, lock, pid);
  return null;
}

export function lockBusy(w: World, lock: LockName, pid: number): Wait | null {
  const h = lockHolder(w, lock);
  return h !== null && h !== pid ? { on: 'lock', lock, holder: h } : null;
}

/**
 * lockdep_assert_held: a step that must hold a lock and does not is the simulated kernel's oops
 * (Kernel.NoOops). Steps are atomic, so a lock dropped too early changes nothing the other
 * invariants see; this is how the checker sees who must hold what.
 */
export function assertHeld(w: World, lock: LockName, pid: number, what: string): void {
  const h = lockHolder(w, lock);
  if (h !== pid) {
    throw new Error(`lockdep: ${what} without ${lock} (${h === null ? 'free' : `held by p${h}`})`);
  }
}

export function unlock(w: World, lock: LockName, pid: number): void {
  if (lockHolder(w, lock) === pid) setHolder(w, lock, null);
}

export const driverLock = (importer: string): LockName => `driver:${importer}`;
export const notifierLock = (importer: string): LockName => `notifier:${importer}`;
export const resvLock = (obj: string): LockName => `resv:${obj}`;

/** mmap_lock for read: waits while a writer (munmap) holds it. */
export function mmapReadWait(o: AnonObj, pid: number): Wait | null {
  const wr = o.mmap.writer;
  return wr !== null && wr !== pid ? { on: 'mmap', obj: o.name, holders: [wr] } : null;
}

export function mmapRead(o: AnonObj, pid: number): void {
  o.mmap.readers.push(pid);
}

export function mmapReadUnlock(o: AnonObj, pid: number): void {
  const i = o.mmap.readers.indexOf(pid);
  if (i >= 0) o.mmap.readers.splice(i, 1);
}

/** mmap_lock for write: waits for every reader and any other writer. */
export function mmapWriteWait(o: AnonObj, pid: number): Wait | null {
  const holders = o.mmap.readers.filter((r) => r !== pid);
  if (o.mmap.writer !== null && o.mmap.writer !== pid) holders.push(o.mmap.writer);
  return holders.length > 0 ? { on: 'mmap', obj: o.name, holders } : null;
}
