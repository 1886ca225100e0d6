/** The built-in configuration and budgets `check` uses unless told otherwise. */
import { type Config, normalizeConfig } from '../../src/world/config.js';

export const DEFAULT_RUNS = 10000;
export const DEFAULT_MAX_STEPS = 120;
export const DEFAULT_DEVICE_EVENTS = 2;

/** Small enough to exhaust memory now and then, big enough for every mechanism to meet. */
export const DEFAULT_CONFIG: Config = normalizeConfig({
  systemFrames: 10,
  swapSlots: 6,
  devices: [
    { id: 'gpu0', vramFrames: 4, memory: 'private', barPages: 2 },
    { id: 'gpu1', vramFrames: 4, memory: 'coherent', pinFlag: 'refuse', revoke: 'dummy' },
  ],
  importers: [
    { id: 'mirror0', kind: 'mirror', device: 'gpu0' },
    { id: 'odp0', kind: 'mirror', p2p: ['gpu0', 'gpu1'] },
    { id: 'nic0', kind: 'gup' },
    { id: 'dio0', kind: 'dio' },
    { id: 'peer0', kind: 'dmabuf', dynamic: true, p2p: ['gpu0', 'gpu1'] },
    { id: 'rdma0', kind: 'dmabuf', dynamic: true },
    { id: 'static0', kind: 'dmabuf', dynamic: false, p2p: ['gpu0'] },
    { id: 'gfx0', kind: 'userptr', queues: 'gfx' },
    { id: 'kfd0', kind: 'userptr', queues: 'compute' },
    { id: 'vfio0', kind: 'vfio' },
  ],
});
