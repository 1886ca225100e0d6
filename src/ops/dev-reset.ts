/**
 * dev.reset [amdgpu_device_gpu_recover], phases stop, reset, recover:
 *   stop     the device stops taking work (memory access waits for the reset)
 *   reset    every fence of its engine is force-completed with an error; with vramLost the
 *            content of its VRAM is destroyed
 *   recover  in one atomic step: the vramLost counter is bumped, every page held in its VRAM is
 *            marked lost, and every importer mapping of those frames is invalidated (model
 *            policy, following the LKML thread "[RFC PATCH 3/5] mm/vma: add support for peer
 *            to peer to device vma", January 2019: no importer silently reads garbage)
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
import { claimDevice, releaseDevice } from '../kernel/device.js';
import { failJobs } from '../kernel/engine.js';
import { destroyVram, reportVramLoss } from '../kernel/vram-loss.js';
import { emit } from '../world/log.js';
import { isErrno, liveDevice, optBool } from './args.js';

interface St {
  readonly device: string;
  readonly vramLost: boolean;
  stage: 'stop' | 'reset' | 'recover';
}

export const devReset = defineOp<St>({
  name: 'dev.reset',
  phases: ['stop', 'reset', 'recover'],
  start(w, a) {
    const d = liveDevice(w, a);
    if (isErrno(d)) return d;
    const vramLost = optBool(a, 'vramLost', true);
    if (vramLost === null) return 'EINVAL';
    if (d.power !== 'active' && d.power !== 'hung') return 'EINVAL';
    return { pc: 'run', st: { device: d.id, vramLost, stage: 'stop' } };
  },
  phaseOf: (_w, p) => p.st.stage,
  plan(w, p) {
    const s = p.st;
    const d = w.devices[s.device];
    if (!d) return failNow('ENODEV');
    switch (s.stage) {
      case 'stop':
        if (d.gone) return failNow('ENODEV');
        if (d.power !== 'active' && d.power !== 'hung') return failNow('EINVAL');
        return () => {
          claimDevice(d, 'resetting', p.pid);
          emit(w, { type: 'dev.reset_stop', device: d.id });
          s.stage = 'reset';
          return PROGRESS;
        };
      case 'reset':
        return () => {
          failJobs(w, d.id);
          if (s.vramLost) destroyVram(w, d.id);
          emit(w, { type: 'dev.reset', device: d.id, vramLost: s.vramLost });
          s.stage = 'recover';
          return PROGRESS;
        };
      case 'recover':
        return () => {
          if (s.vramLost) {
            d.vramLost += 1;
            reportVramLoss(w, d.id, !w.faults['reset-no-invalidate']);
          }
          releaseDevice(d, 'active');
          emit(w, { type: 'dev.recover', device: d.id });
          return done({ vramLost: s.vramLost });
        };
    }
  },
});
