/** imp.map by a dma-buf importer: phases place, commit (see kernel/dmabuf-map). */
import { done, failed, type Plan, PROGRESS } from '../exec/op.js';
import {
  type DmabufMapState,
  dmabufMapStagePhase,
  newDmabufMapState,
  planDmabufMapRoutine,
} from '../kernel/dmabuf-map.js';
import type { ImporterConfig } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, World } from '../world/types.js';
import { deviceErrno } from './device-state.js';

export type { DmabufMapState };

export function newDmabufMap(importer: string, bo: BoObj): DmabufMapState {
  return newDmabufMapState(importer, bo, true);
}

export function dmabufMapErrno(w: World, _ic: ImporterConfig, o: BoObj): Errno | null {
  return deviceErrno(w, o.device);
}

export function dmabufMapPhase(_w: World, m: DmabufMapState): string {
  return dmabufMapStagePhase(m);
}

export function planDmabufMap(w: World, p: Proc, m: DmabufMapState): Plan {
  const step = planDmabufMapRoutine(w, p, m);
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    if (r === 'progress') return PROGRESS;
    return r === 'mapped' ? done() : failed(r);
  };
}
