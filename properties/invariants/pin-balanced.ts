import type { Invariant } from './types.js';

export const pinBalanced: Invariant = {
  name: 'Pin.Balanced',
  statement: 'pin counts equal outstanding pins; never negative; zero after teardown',
  check({ w, imps }) {
    const want = new Int32Array(w.frames.length);
    for (const { io } of imps) {
      if (io.pin) for (const f of io.pin.frames) want[f] = (want[f] ?? 0) + 1;
    }
    for (let f = 0; f < w.frames.length; f++) {
      const have = w.frames[f]?.pins ?? 0;
      const expect = want[f] ?? 0;
      if (have !== expect) {
        return {
          message: `frame ${f} has pin count ${have} but ${expect} outstanding pins`,
          frames: [f],
        };
      }
    }
    return null;
  },
};
