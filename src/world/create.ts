/** Build the initial world from a configuration. */
import type { Config } from './config.js';
import { systemPool, vramPool } from './frames.js';
import type { DeviceState, Frame, ImporterState, World } from './types.js';

function frame(kind: Frame['kind'], device: string | null, state: Frame['state']): Frame {
  return {
    kind,
    device,
    state,
    tag: 0,
    data: null,
    owner: null,
    refs: 0,
    pins: 0,
    maps: 0,
    anonExclusive: false,
  };
}

/** A free list where the lowest index is on top. */
function freeStack(first: number, size: number): number[] {
  const s: number[] = [];
  for (let f = first + size - 1; f >= first; f--) s.push(f);
  return s;
}

export function createWorld(config: Config, faults: readonly string[]): World {
  const frames: Frame[] = [];
  const pools: Record<string, { first: number; size: number }> = {};
  const free: Record<string, number[]> = {};
  pools[systemPool()] = { first: 0, size: config.systemFrames };
  free[systemPool()] = freeStack(0, config.systemFrames);
  for (let i = 0; i < config.systemFrames; i++) frames.push(frame('system', null, 'free'));
  const devices: Record<string, DeviceState> = {};
  for (const d of config.devices) {
    const first = frames.length;
    pools[vramPool(d.id)] = { first, size: d.vramFrames };
    free[vramPool(d.id)] = freeStack(first, d.vramFrames);
    for (let i = 0; i < d.vramFrames; i++) frames.push(frame('vram', d.id, 'free'));
    // VRAM past the managed size (firmware-reserved): never handed out by a correct allocator.
    frames.push(frame('vram', d.id, 'reserved'));
    devices[d.id] = {
      id: d.id,
      power: 'active',
      vramLost: 0,
      frozen: false,
      gone: false,
      surprise: false,
      eventBy: null,
      bar: new Array<string | null>(d.barPages).fill(null),
    };
  }
  const dummyFrame = frames.length;
  frames.push(frame('dummy', null, 'dummy'));
  const importers: Record<string, ImporterState> = {};
  for (const i of config.importers) {
    importers[i.id] = { id: i.id, driverLock: null, notifierLock: null, objs: {} };
  }
  const faultSet: Record<string, true> = {};
  for (const f of faults) faultSet[f] = true;
  return {
    config,
    faults: faultSet,
    frames,
    free,
    pinStats: { sum: 0, frames: 0 },
    pools,
    dummyFrame,
    swap: Array.from({ length: config.swapSlots }, () => ({ used: false, data: null, refs: 0 })),
    objects: {},
    devices,
    importers,
    mm: { seq: 2, active: 0, ranges: [] },
    dma: [],
    jobs: [],
    procs: [],
    processes: { p0: { name: 'p0', parent: null, ready: true } },
    nextPid: 1,
    writes: 0,
    lineage: {},
    shmem: {},
    nextUid: 1,
    nextId: 1,
    clock: 0,
    log: { events: [], obs: [] },
  };
}
