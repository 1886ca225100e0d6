import { describeRefs } from '../ref-kinds.js';
import type { Invariant } from './types.js';

export const frameNoUseAfterFree: Invariant = {
  name: 'Frame.NoUseAfterFree',
  statement:
    'no atomic step touches a free frame, and none is referenced by a PTE, TLB entry, device PTE, pin, in-flight DMA or pending process',
  check({ w, obs, imps, index }) {
    for (const o of obs) {
      if (o.k === 'touch-free')
        return { message: `${o.what} touched free frame ${o.f}`, frames: [o.f] };
    }
    const hit = index().freeRef;
    if (!hit) return null;
    const who = describeRefs(w, imps, hit.f);
    return { message: `${who.join(', ')} references free frame ${hit.f}`, frames: [hit.f] };
  },
};
