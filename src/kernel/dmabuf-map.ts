/**
 * dma_buf_map_attachment under the reservation lock: the exporter chooses the physical address
 * at the instant of map. place: keep the placement if this attachment may use it, else move the
 * bo to system memory (notifying the other attachments) or fail with EOPNOTSUPP; a static
 * importer pins here. commit: the importer programs its page table from the sg table.
 */
import type { Errno } from '../world/errno.js';
import { emit } from '../world/log.js';
import type { BoObj, Proc, Wait, World } from '../world/types.js';
import { type BoMoveState, moveWait, newBoMove, planBoMove } from './bo-move.js';
import { mayUseVram, pinnedInVram, takeBoPin } from './dmabuf.js';
import { lockBusy, resvLock, tryLock, unlock } from './locks.js';
import { objOf } from './objects.js';

export interface DmabufMapState {
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  stage: 'lock' | 'place' | 'commit';
  move: BoMoveState | null;
  /** imp.map itself (ENOENT on a destroyed bo), not a re-map on access. */
  readonly explicit: boolean;
}

export function newDmabufMapState(importer: string, bo: BoObj, explicit: boolean): DmabufMapState {
  return { importer, obj: bo.name, uid: bo.uid, stage: 'lock', move: null, explicit };
}

export function dmabufMapStagePhase(m: DmabufMapState): 'place' | 'commit' {
  return m.stage === 'commit' ? 'commit' : 'place';
}

export type MapStep = 'progress' | 'mapped' | Errno;

function release(w: World, p: Proc, bo: BoObj): void {
  unlock(w, resvLock(bo.name), p.pid);
}

export function planDmabufMapRoutine(w: World, p: Proc, m: DmabufMapState): Wait | (() => MapStep) {
  const bo = objOf(w, m.obj, m.uid);
  const fail = () => {
    if (bo?.kind === 'bo') release(w, p, bo);
    return bo?.kind === 'bo' && bo.destroyed ? 'ENOENT' : 'EINVAL';
  };
  if (bo?.kind !== 'bo') return fail;
  // A move under way finishes whatever happened meanwhile; then the map looks again.
  if (m.stage === 'place') return planPlace(w, p, m, bo);
  const io = w.importers[m.importer]?.objs[m.obj];
  const att = io?.att;
  if (!io || !att || att.revoked || (m.explicit && bo.destroyed)) return fail;
  switch (m.stage) {
    case 'lock': {
      // If this map will have to move the bo, a move in flight finishes first (it may need
      // the reservation lock to undo itself); otherwise the map takes the new placement at once.
      const frozenNow = w.devices[bo.device]?.frozen === true;
      const mustMove = bo.placement === 'vram' && (!mayUseVram(bo, att) || frozenNow);
      // A static importer pins on map: like any pin it waits for a move in flight.
      const moving = mustMove || !att.dynamic ? moveWait(bo, p.pid) : null;
      const busy = moving ?? lockBusy(w, resvLock(bo.name), p.pid);
      if (busy) return busy;
      return () => {
        tryLock(w, resvLock(bo.name), p.pid);
        // A frozen (suspending) or departing device's objects are mapped in system memory.
        const frozen = w.devices[bo.device]?.frozen === true;
        if (bo.placement === 'vram' && (!mayUseVram(bo, att) || frozen)) {
          if (!bo.domains.includes('system') && !frozen) {
            release(w, p, bo);
            return 'EOPNOTSUPP';
          }
          if (pinnedInVram(w, bo.name, m.importer)) {
            release(w, p, bo);
            return 'EBUSY';
          }
          m.move = newBoMove(bo, 'system', true);
          m.stage = 'place';
          return 'progress';
        }
        m.stage = 'commit';
        return 'progress';
      };
    }
    case 'commit':
      return () => {
        const vram = bo.placement === 'vram';
        if (!att.dynamic && !io.pin) takeBoPin(w, m.importer, io, bo);
        const sg = bo.frames.map((f) => ({ f, tag: w.frames[f]?.tag ?? 0 }));
        att.sg = sg;
        att.vram = vram;
        att.invalidated = false;
        emit(w, { type: 'att.map', importer: m.importer, obj: bo.key, vram });
        sg.forEach((e, page) => {
          io.pt[page] = e;
          emit(w, { type: 'devpt.view', importer: m.importer, obj: bo.key, page });
          emit(w, { type: 'devpt.set', importer: m.importer, obj: bo.key, page, device: null });
        });
        io.mapped = true;
        release(w, p, bo);
        return 'mapped';
      };
  }
}

function planPlace(w: World, p: Proc, m: DmabufMapState, bo: BoObj): Wait | (() => MapStep) {
  const att = w.importers[m.importer]?.objs[m.obj]?.att;
  const mv = m.move;
  if (!mv) {
    return () => {
      m.stage = 'commit';
      return 'progress';
    };
  }
  const step = planBoMove(w, p, mv);
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    if (r === null) return 'progress';
    m.move = null;
    if (typeof r === 'string') {
      release(w, p, bo);
      return r;
    }
    if (bo.placement === 'vram' && att && !mayUseVram(bo, att)) {
      release(w, p, bo);
      return 'EBUSY';
    }
    m.stage = 'commit';
    return 'progress';
  };
}
