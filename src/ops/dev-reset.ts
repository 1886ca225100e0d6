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
import { bosIn, claimDevice, releaseDevice } from '../kernel/device.js';
import { newVmaZap, planEventZap, type VmaZapState } from '../kernel/device-vma.js';
import { failJobs } from '../kernel/engine.js';
import { destroyVram, reportVramLoss } from '../kernel/vram-loss.js';
import { emit } from '../world/log.js';
import type { BoObj, World } from '../world/types.js';
import { isErrno, liveDevice, optBool } from './args.js';

interface St {
  readonly device: string;
  readonly vramLost: boolean;
  stage: 'stop' | 'reset' | 'recover' | 'zap';
  /** After a VRAM loss, each device VMA of a bo that lived there is zapped (p2p.md). */
  zap?: VmaZapState | null;
  zapped?: string[];
}

/** Mmapped bos whose VRAM the reset lost (their data was there), not yet zapped. */
function lostVmas(w: World, s: St): BoObj[] {
  return bosIn(w, s.device).filter(
    (b) => b.vma && b.lost.some((l) => l) && !(s.zapped ?? []).includes(b.name),
  );
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
  phaseOf: (_w, p) => (p.st.stage === 'zap' ? 'recover' : p.st.stage),
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
          if (s.vramLost && lostVmas(w, s).length > 0) {
            s.stage = 'zap';
            return PROGRESS;
          }
          return done({ vramLost: s.vramLost });
        };
      case 'zap': {
        // The device is back: the mirrors of a lost bo's VMA release their p2p maps through
        // the notifiers (their device PTEs of the lost VRAM are already gone).
        const zap = planEventZap(w, p, s);
        if (typeof zap === 'function')
          return () => {
            zap();
            return PROGRESS;
          };
        if (zap) return zap;
        const next = lostVmas(w, s)[0];
        if (!next) return () => done({ vramLost: s.vramLost });
        return () => {
          s.zap = newVmaZap(next);
          return PROGRESS;
        };
      }
    }
  },
});
