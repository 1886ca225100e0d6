/**
 * p2p_map through a bo's device VMA, under the bo's reservation lock: the exporter applies its
 * policy at the instant of the map and picks the placement (moving the bo if this importer may
 * not use where it is), then finishes the map under the same lock — BAR window pages for a VRAM
 * map, or, with the pin flag, a pin in system memory.
 *
 *   lock    wait for a move in flight (if this map must move the bo) and for the reservation
 *           lock; decide; finish at once, or start a nested move (steps of bo-move.ts)
 *   move    the nested move; then decide again and finish
 */
import type { Domain } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, Wait, World } from '../world/types.js';
import { type BoMoveState, moveWait, newBoMove, planBoMove } from './bo-move.js';
import { isPinned, pinnedInVram } from './dmabuf.js';
import { lockBusy, resvLock, tryLock, unlock } from './locks.js';
import { objOf } from './objects.js';

export interface VmaPlaceState {
  readonly obj: string;
  readonly uid: number;
  stage: 'lock' | 'move';
  move: BoMoveState | null;
}

export function newVmaPlace(bo: BoObj): VmaPlaceState {
  return { obj: bo.name, uid: bo.uid, stage: 'lock', move: null };
}

export type PlaceStep = 'progress' | 'done' | Errno;

/** What the caller decides under the lock: where the bo must be, and how to finish there. */
export interface Placement {
  /** Where the bo must be for this map, or the error p2p_map fails with. */
  target(bo: BoObj): Domain | Errno;
  /** Finish the map with the bo where it must be (the lock is held, and released after). */
  finish(bo: BoObj): 'done' | Errno;
  /** A pin waits for a move in flight whatever it will decide (the move may have to revert). */
  readonly pins?: boolean;
}

export function planVmaPlace(
  w: World,
  p: Proc,
  s: VmaPlaceState,
  how: Placement,
): Wait | (() => PlaceStep) {
  const bo = objOf(w, s.obj, s.uid);
  const resv = resvLock(s.obj);
  if (bo?.kind !== 'bo') {
    return () => {
      unlock(w, resv, p.pid);
      return 'ENOENT';
    };
  }
  const settle = (): PlaceStep => {
    const to = how.target(bo);
    if (to !== 'vram' && to !== 'system') return release(to);
    if (to !== bo.placement) return release('EBUSY');
    return release(how.finish(bo));
  };
  const release = (r: PlaceStep): PlaceStep => {
    if (r !== 'progress') unlock(w, resv, p.pid);
    return r;
  };
  if (s.stage === 'move' && s.move) {
    const step = planBoMove(w, p, s.move);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === null) return 'progress';
      s.move = null;
      if (typeof r === 'string') return release(r);
      return settle();
    };
  }
  const target = how.target(bo);
  const mustMove = target !== bo.placement || how.pins === true;
  const busy = (mustMove ? moveWait(bo, p.pid) : null) ?? lockBusy(w, resv, p.pid);
  if (busy) return busy;
  return () => {
    // The exporter went away while the map waited (unplug's gone step).
    if (w.devices[bo.device]?.gone) return 'ENODEV';
    tryLock(w, resv, p.pid);
    const to = how.target(bo);
    if (to !== 'vram' && to !== 'system') return release(to);
    if (to === bo.placement) return release(how.finish(bo));
    const held = to === 'system' ? pinnedInVram(w, bo.name) : isPinned(w, bo.name);
    if (held) return release('EBUSY');
    s.move = newBoMove(bo, to, true);
    s.stage = 'move';
    return 'progress';
  };
}
