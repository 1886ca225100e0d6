/**
 * dev.reset [amdgpu_device_gpu_recover], phases stop, reset, recover:
 *   stop     the device stops taking work (memory access waits for the reset)
 *   reset    every fence of its engine is force-completed with an error; with vramLost the
 *            content of its VRAM is destroyed
 *   recover  in one atomic step: the vramLost counter is bumped, every page held in its VRAM is
 *            marked lost, and every importer mapping of those frames is invalidated (model
 *            policy, following 001_ed5b1bd85d234dba.txt: no importer silently reads garbage)
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
import { claimDevice, deviceFrames, onDevice, releaseDevice } from '../kernel/device.js';
import { failJobs } from '../kernel/engine.js';
import { markAnonLost, markBoLost } from '../kernel/loss.js';
import { keyOf } from '../kernel/objects.js';
import { GARBAGE, isGarbage } from '../world/frames.js';
import { emit, observe } from '../world/log.js';
import type { World } from '../world/types.js';
import { isErrno, liveDevice, optBool } from './args.js';

interface St {
  readonly device: string;
  readonly vramLost: boolean;
  stage: 'stop' | 'reset' | 'recover';
}

/** The pages whose data was in the lost frames, per object name. */
function lostPages(w: World, lost: ReadonlySet<number>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const o of Object.values(w.objects)) {
    let pages: number[];
    if (o.kind === 'anon') {
      pages = o.page
        .map((pg, i) => {
          const pte = pg.pte;
          return (pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'migration') &&
            lost.has(pte.f)
            ? i
            : -1;
        })
        .filter((i) => i >= 0);
    } else {
      // While a move's copy is pending the data is still in the old frames.
      const data = o.fence && !o.fence.signalled ? o.fence.src : o.frames;
      pages = data.map((f, i) => (lost.has(f) ? i : -1)).filter((i) => i >= 0);
    }
    if (pages.length > 0) out.set(o.name, pages);
  }
  // A pinned page of a destroyed object is reached only through its pin.
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) {
      const pin = io.pin;
      if (!pin || w.objects[io.obj]?.kind !== 'anon') continue;
      pin.frames.forEach((f, k) => {
        const page = pin.pages[k];
        if (page === undefined || !lost.has(f)) return;
        const list = out.get(io.obj) ?? [];
        if (!list.includes(page)) list.push(page);
        out.set(io.obj, list);
      });
    }
  }
  return out;
}

/**
 * Invalidate every importer mapping of the lost frames, and every mapping of a page whose data
 * was lost (a mapping of a bo's new placement, taken while its copy was pending, included).
 */
function invalidateLost(
  w: World,
  lost: ReadonlySet<number>,
  pages: ReadonlyMap<string, number[]>,
): void {
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) {
      const key = keyOf(w, io.obj);
      const lostHere = pages.get(io.obj) ?? [];
      let hit = false;
      io.pt.forEach((e, page) => {
        if (e && (lost.has(e.f) || lostHere.includes(page))) {
          io.pt[page] = null;
          hit = true;
          emit(w, { type: 'devpt.zap', importer: imp.id, obj: key, page });
        }
      });
      if (hit && io.att) {
        io.att.sg = null;
        io.att.invalidated = true;
        emit(w, { type: 'att.invalidate', importer: imp.id, obj: key });
      }
    }
  }
}

/** Report the loss of every page whose content was in the lost frames. */
function reportLoss(w: World, pages: ReadonlyMap<string, number[]>): void {
  for (const [name, list] of pages) {
    const o = w.objects[name];
    if (o?.kind === 'anon') for (const i of list) markAnonLost(w, o, i, true);
    else if (o?.kind === 'bo') markBoLost(w, o, list, true);
  }
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
          if (s.vramLost) {
            for (const f of deviceFrames(w, d.id)) {
              const fr = w.frames[f];
              if (fr && fr.state === 'used') {
                fr.state = 'garbage';
                fr.data = GARBAGE;
              }
            }
            // DMA in flight on the lost VRAM (a peer's, through the BAR) fails: it would
            // otherwise complete on garbage that no loss report covers.
            for (const x of w.dma) if (onDevice(w, x.f, d.id)) x.failed = true;
          }
          emit(w, { type: 'dev.reset', device: d.id, vramLost: s.vramLost });
          s.stage = 'recover';
          return PROGRESS;
        };
      case 'recover':
        return () => {
          if (s.vramLost) {
            d.vramLost += 1;
            const lost = new Set(deviceFrames(w, d.id).filter((f) => isGarbage(w, f)));
            const pages = lostPages(w, lost);
            if (!w.faults['reset-no-invalidate']) invalidateLost(w, lost, pages);
            reportLoss(w, pages);
            observe(w, { k: 'loss-reported', device: d.id, frames: [...lost] });
          }
          releaseDevice(d, 'active');
          emit(w, { type: 'dev.recover', device: d.id });
          return done({ vramLost: s.vramLost });
        };
    }
  },
});
