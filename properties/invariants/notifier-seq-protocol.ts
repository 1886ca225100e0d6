import type { Invariant } from './types.js';

export const notifierSeqProtocol: Invariant = {
  name: 'Notifier.SeqProtocol',
  statement:
    'the sequence is odd while an invalidation overlapping a subscription is active and even when none is active (a subscription inserted during any invalidation makes it odd, as in the kernel); starts and ends pair, so no end follows a start refused with EAGAIN',
  check({ w }) {
    const { seq, active, ranges } = w.mm;
    if (active < 0)
      return { message: `active_invalidate_ranges is ${active}: an invalidation was ended twice` };
    if (active !== ranges.length) {
      return {
        message: `active_invalidate_ranges is ${active} but ${ranges.length} invalidations are in progress: starts and ends do not pair`,
      };
    }
    const odd = (seq & 1) === 1;
    if (odd && active === 0)
      return { message: `the sequence ${seq} is odd with no invalidation active` };
    const overlapping = ranges.find((r) => r.overlapped);
    if (overlapping && !odd) {
      return {
        message: `an invalidation of ${overlapping.obj} overlapping a subscription is active but the sequence ${seq} is even`,
      };
    }
    return null;
  },
};
