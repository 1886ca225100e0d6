/**
 * dma_buf_map_attachment under the reservation lock: the exporter chooses the physical address
 * at the instant of map. place: keep the placement if this attachment may use it, else move the
 * bo to system memory (notifying the other attachments) or fail with EOPNOTSUPP; a static
 * importer pins here. commit: the importer programs its page table from the sg table.
 */

import type { Domain } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import { emit } from '../world/log.js';
import type { Attachment, BoObj, Proc, Wait, World } from '../world/types.js';
import { type BoMoveState, moveWait, newBoMove, planBoMove } from './bo-move.js';
import { isPinned, mayUseVram, pinnedInVram, takeBoPin } from './dmabuf.js';
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

/**
 * Where this map needs the bo (the exporter validates it into the attachment's placement): where
 * it is, if that is allowed. VRAM is allowed if the bo's domains include it, the attachment may
 * use it (p2p, and the bo shared now) and the device takes new work; system memory if the
 * domains include it, or whatever they are while the device is frozen (suspend maps use system
 * memory). A bo evicted outside its domains (a VRAM-only bo evicted by suspend) goes back into
 * them (ttm_bo_validate); EOPNOTSUPP when this attachment may use no allowed placement.
 */
export function mapPlacement(w: World, bo: BoObj, att: Attachment): Domain | 'EOPNOTSUPP' {
  const frozen = w.devices[bo.device]?.frozen === true;
  const vramOk = bo.domains.includes('vram') && mayUseVram(bo, att) && !frozen;
  const systemOk = bo.domains.includes('system') || frozen;
  if (bo.placement === 'vram' ? vramOk : systemOk) return bo.placement;
  if (bo.placement === 'vram') return systemOk ? 'system' : 'EOPNOTSUPP';
  return vramOk ? 'vram' : 'EOPNOTSUPP';
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
      const mustMove = mapPlacement(w, bo, att) !== bo.placement;
      // A static importer pins on map: like any pin it waits for a move in flight.
      const moving = mustMove || !att.dynamic ? moveWait(bo, p.pid) : null;
      const busy = moving ?? lockBusy(w, resvLock(bo.name), p.pid);
      if (busy) return busy;
      return () => {
        // The exporter went away while the map waited: no new mapping (unplug's gone step).
        if (w.devices[bo.device]?.gone) return 'ENODEV';
        tryLock(w, resvLock(bo.name), p.pid);
        const to = mapPlacement(w, bo, att);
        if (to === 'EOPNOTSUPP') {
          release(w, p, bo);
          return to;
        }
        if (to !== bo.placement) {
          const held =
            to === 'system' ? pinnedInVram(w, bo.name, m.importer) : isPinned(w, bo.name);
          if (held) {
            release(w, p, bo);
            return 'EBUSY';
          }
          m.move = newBoMove(bo, to, true);
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
        const sg = bo.frames.map((f) => ({ f, tag: w.frames[f]?.tag ?? 0, write: true }));
        att.sg = sg;
        att.vram = vram;
        att.invalidated = false;
        emit(w, { type: 'att.map', importer: m.importer, obj: bo.key, vram });
        sg.forEach((e, page) => {
          io.pt[page] = e;
          emit(w, { type: 'devpt.view', importer: m.importer, obj: bo.key, page });
          emit(w, {
            type: 'devpt.set',
            importer: m.importer,
            obj: bo.key,
            page,
            device: null,
            write: true,
          });
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
    if (att && mapPlacement(w, bo, att) !== bo.placement) {
      release(w, p, bo);
      return 'EBUSY';
    }
    m.stage = 'commit';
    return 'progress';
  };
}
