import type { Invariant } from './types.js';

export const pinBalanced: Invariant = {
  name: 'Pin.Balanced',
  statement: 'pin counts equal outstanding pins; never negative; zero after teardown',
  check({ w, index }) {
    const idx = index();
    let sum = 0;
    for (const f of idx.pinned) {
      const have = w.frames[f]?.pins ?? 0;
      const want = idx.pins(f);
      sum += want;
      if (have !== want)
        return {
          message: `frame ${f} has pin count ${have} but ${want} outstanding pins`,
          frames: [f],
        };
    }
    // The frames no pin points at must all be at zero: the table's summary says whether.
    if (w.pinStats.sum === sum && w.pinStats.frames === idx.pinned.length) return null;
    for (let f = 0; f < w.frames.length; f++) {
      const have = w.frames[f]?.pins ?? 0;
      if (have !== 0 && idx.pins(f) === 0)
        return { message: `frame ${f} has pin count ${have} but 0 outstanding pins`, frames: [f] };
    }
    return null;
  },
};
