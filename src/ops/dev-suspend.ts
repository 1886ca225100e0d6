/**
 * dev.suspend [amdgpu_device_evict_resources], phases freeze, evict, poweroff:
 *   freeze    new work into its VRAM is refused (EBUSY) from here until dev.resume
 *   evict     every unpinned bo and every anon page in its memory moves to system memory, one
 *             object per move, with notifications
 *   poweroff  the VRAM is powered off
 * A pin holding data in its VRAM fails the suspend with EBUSY and thaws the device (model
 * policy; xe backs pinned VRAM up instead).
 */
import { defineOp, done, failed, failNow, type Outcome, PROGRESS } from '../exec/op.js';
import { type BoMoveState, moveWait, newBoMove, planBoMove } from '../kernel/bo-move.js';
import {
  bosIn,
  claimDevice,
  firstAnonPagesOn,
  releaseDevice,
  vramPinned,
} from '../kernel/device.js';
import { type MigState, newMigration, planMigration } from '../kernel/migrate.js';
import type { Errno } from '../world/errno.js';
import { emit } from '../world/log.js';
import type { DeviceState, World } from '../world/types.js';
import { isErrno, liveDevice } from './args.js';

interface St {
  readonly device: string;
  stage: 'freeze' | 'evict' | 'poweroff';
  mig: MigState | null;
  move: BoMoveState | null;
}

function thaw(w: World, d: DeviceState, why: Errno): Outcome {
  d.frozen = false;
  releaseDevice(d, 'active');
  emit(w, { type: 'dev.suspend_failed', device: d.id });
  return failed(why);
}

export const devSuspend = defineOp<St>({
  name: 'dev.suspend',
  phases: ['freeze', 'evict', 'poweroff'],
  start(w, a) {
    const d = liveDevice(w, a);
    if (isErrno(d)) return d;
    if (d.power !== 'active') return 'EINVAL';
    if (vramPinned(w, d.id)) return 'EBUSY';
    return { pc: 'run', st: { device: d.id, stage: 'freeze', mig: null, move: null } };
  },
  phaseOf: (_w, p) => p.st.stage,
  plan(w, p) {
    const s = p.st;
    const d = w.devices[s.device];
    if (!d) return failNow('ENODEV');
    if (s.stage === 'freeze') {
      if (d.gone) return failNow('ENODEV');
      if (d.power !== 'active') return failNow('EINVAL');
      if (vramPinned(w, d.id)) return failNow('EBUSY');
      return () => {
        if (!w.faults['suspend-before-freeze']) d.frozen = true;
        claimDevice(d, 'suspending', p.pid);
        emit(w, { type: 'dev.freeze', device: d.id });
        s.stage = 'evict';
        return PROGRESS;
      };
    }
    if (s.stage === 'poweroff') {
      return () => {
        if (w.faults['suspend-before-freeze']) d.frozen = true;
        releaseDevice(d, 'suspended');
        emit(w, { type: 'dev.poweroff', device: d.id });
        return done();
      };
    }
    // evict: one object at a time, each a move with notifications.
    if (s.move) {
      const mv = s.move;
      const step = planBoMove(w, p, mv);
      if (typeof step !== 'function') return step;
      return () => {
        const r = step();
        if (r === null) return PROGRESS;
        s.move = null;
        // Already out (a move in flight took it back) is fine; a bo that could not move is not.
        if (typeof r === 'string' || r.skipped > 0)
          return thaw(w, d, typeof r === 'string' ? r : 'EBUSY');
        return PROGRESS;
      };
    }
    if (s.mig) {
      const mig = s.mig;
      const step = planMigration(w, p, mig);
      if (typeof step !== 'function') return step;
      return () => {
        const r = step();
        if (r === null) return PROGRESS;
        s.mig = null;
        if (r.error || (r.moved === 0 && r.skipped > 0)) return thaw(w, d, r.error ?? 'EBUSY');
        return PROGRESS;
      };
    }
    if (vramPinned(w, d.id)) return () => thaw(w, d, 'EBUSY');
    // A bo whose move is in flight may still have its data in (or be coming back to) this VRAM:
    // the move finishes first.
    const bos = bosIn(w, d.id);
    for (const b of bos) {
      const moving = moveWait(b, p.pid);
      if (moving) return moving;
    }
    const bo = bos.find((b) => b.placement === 'vram');
    if (bo) {
      return () => {
        s.move = newBoMove(bo, 'system', false);
        return PROGRESS;
      };
    }
    const anon = firstAnonPagesOn(w, d.id);
    const busy = anon?.pages.map((i) => anon.o.page[i]?.pte).find((pte) => pte?.t === 'migration');
    if (anon && busy?.t === 'migration')
      return { on: 'page', obj: anon.o.name, page: anon.pages[0] ?? 0, holder: busy.by };
    if (anon) {
      return () => {
        s.mig = newMigration({
          obj: anon.o.name,
          uid: anon.o.uid,
          pages: anon.pages,
          to: 'system',
          owner: d.id,
        });
        return PROGRESS;
      };
    }
    return () => {
      s.stage = 'poweroff';
      return PROGRESS;
    };
  },
});
