import type { Invariant } from './types.js';

export const mapObservesCurrentData: Invariant = {
  name: 'Map.ObservesCurrentData',
  statement:
    'every completed read (CPU, DMA, or a bo move\'s copy engine) returns the page\'s current logical value; 0 if never written or through the dummy page; "lost" only after a reported loss',
  check({ w, obs, ghost }) {
    for (const o of obs) {
      if (o.k !== 'read') continue;
      const ok =
        o.f === w.dummyFrame ? [0] : [...new Set(ghost.acceptable(o.uid, o.page, o.dma, o.gen))];
      if (!ok.includes(o.value)) {
        const want = ok.length === 1 ? String(ok[0]) : `one of ${ok.join(', ')}`;
        return {
          message: `${o.who} read ${o.obj}[${o.page}] = ${o.value} from frame ${o.f}, but its current value is ${want}`,
          frames: [o.f],
          objs: [o.obj],
          ...(o.who in w.importers ? { importers: [o.who] } : {}),
        };
      }
    }
    return null;
  },
};
