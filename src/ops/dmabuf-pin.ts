/**
 * dma_buf_pin by a dynamic importer, under the reservation lock. The bo stays in VRAM only if
 * every attachment may use VRAM (p2p and shared); otherwise the pin places it in system memory
 * (xe/amdgpu: "would most likely use main memory"), EINVAL without a system domain, EBUSY while
 * another pin holds it in VRAM.
 */
import { done, failed, type Plan, PROGRESS } from '../exec/op.js';
import { type BoMoveState, moveWait, newBoMove, planBoMove } from '../kernel/bo-move.js';
import { attachments, isPinned, mayUseVram, pinnedInVram, takeBoPin } from '../kernel/dmabuf.js';
import { lockBusy, resvLock, tryLock, unlock } from '../kernel/locks.js';
import { objOf } from '../kernel/objects.js';
import type { Domain, ImporterConfig } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, World } from '../world/types.js';
import { deviceErrno } from './device-state.js';

export type DmabufPinState = {
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  stage: 'lock' | 'place' | 'pin';
  move: BoMoveState | null;
};

export function newDmabufPin(importer: string, bo: BoObj): DmabufPinState {
  return { importer, obj: bo.name, uid: bo.uid, stage: 'lock', move: null };
}

export function dmabufPinErrno(w: World, _ic: ImporterConfig, o: BoObj): Errno | null {
  return deviceErrno(w, o.device);
}

export function dmabufPinPhase(_w: World, d: DmabufPinState): string {
  return d.stage === 'pin' ? 'pin' : 'fault';
}

function everyoneMayUseVram(w: World, bo: BoObj): boolean {
  return attachments(w, bo.name).every((a) => mayUseVram(bo, a.att));
}

/**
 * Where a pin needs the bo: VRAM only if its domains include it, every attachment may use VRAM
 * and the device takes new work; otherwise system memory, if its domains include it. A bo
 * evicted outside its domains is validated back into them first; EINVAL when no allowed
 * placement will do.
 */
function pinPlacement(w: World, bo: BoObj): Domain | 'EINVAL' {
  const frozen = w.devices[bo.device]?.frozen === true;
  const everyone = everyoneMayUseVram(w, bo) || w.faults['pin-vram-for-non-p2p'] === true;
  const vramOk = bo.domains.includes('vram') && everyone && !frozen;
  const systemOk = bo.domains.includes('system');
  if (bo.placement === 'vram' ? vramOk : systemOk) return bo.placement;
  if (bo.placement === 'vram') return systemOk ? 'system' : 'EINVAL';
  return vramOk ? 'vram' : 'EINVAL';
}

export function planDmabufPin(w: World, p: Proc, d: DmabufPinState): Plan {
  const bo = objOf(w, d.obj, d.uid);
  const io = w.importers[d.importer]?.objs[d.obj];
  const resv = resvLock(d.obj);
  // A move under way finishes whatever happened meanwhile; then the pin looks again.
  const settled = d.stage !== 'place';
  if (bo?.kind !== 'bo' || (settled && (!io?.att || io.att.revoked || bo.destroyed))) {
    return () => {
      unlock(w, resv, p.pid);
      return failed(bo?.kind === 'bo' && bo.destroyed ? 'ENOENT' : 'EINVAL');
    };
  }
  const fail = (e: Errno) => {
    unlock(w, resv, p.pid);
    return failed(e);
  };
  switch (d.stage) {
    case 'lock': {
      // A pin waits for a move in flight whatever it decides: a pinned bo never moves, so a
      // move that fails must still be able to go back (and a pin needing system memory waits
      // anyway, its own move could not start before).
      const busy = moveWait(bo, p.pid) ?? lockBusy(w, resv, p.pid);
      if (busy) return busy;
      return () => {
        // The exporter went away while the pin waited: no new pin (unplug's gone step).
        if (w.devices[bo.device]?.gone) return failed('ENODEV');
        tryLock(w, resv, p.pid);
        if (io?.pin) return fail('EALREADY');
        const to = pinPlacement(w, bo);
        if (to === 'EINVAL') return fail(to);
        if (to === bo.placement) {
          d.stage = 'pin';
          return PROGRESS;
        }
        const held = to === 'system' ? pinnedInVram(w, bo.name, d.importer) : isPinned(w, bo.name);
        if (held) return fail('EBUSY');
        d.move = newBoMove(bo, to, true);
        d.stage = 'place';
        return PROGRESS;
      };
    }
    case 'place': {
      const mv = d.move;
      if (!mv) {
        return () => {
          d.stage = 'pin';
          return PROGRESS;
        };
      }
      const step = planBoMove(w, p, mv);
      if (typeof step !== 'function') return step;
      return () => {
        const r = step();
        if (r === null) return PROGRESS;
        d.move = null;
        if (typeof r === 'string') return fail(r);
        if (pinPlacement(w, bo) !== bo.placement) return fail('EBUSY');
        d.stage = 'pin';
        return PROGRESS;
      };
    }
    case 'pin':
      return () => {
        if (!io) return fail('EINVAL');
        takeBoPin(w, d.importer, io, bo);
        unlock(w, resv, p.pid);
        return done();
      };
  }
}
