import type { Invariant } from './types.js';

/**
 * mmu_notifier_subscriptions->invalidate_seq only ever grows (invalidate_start makes it odd by
 * one, the last end makes it even by one, an insert during an invalidation `|= 1`), and every
 * subscription's invalidate_seq is a value it held. read_retry compares a subscription's seq with
 * the one read_begin returned: a sequence that steps back can hand a later invalidation the value
 * an earlier read_begin saw, and that read's retry passes over the invalidation.
 */
export const notifierSeqMovesForward: Invariant = {
  name: 'Notifier.SeqMovesForward',
  statement:
    "the mm's invalidate_seq never moves backwards, and no subscription's invalidate_seq is ahead of it",
  check({ w, watch, imps }) {
    const seq = w.mm.seq;
    const high = watch.highestSeq();
    if (seq < high) return { message: `the sequence went back from ${high} to ${seq}` };
    for (const { importer, io } of imps) {
      if (io.sub && io.sub.seq > seq) {
        return {
          message: `${importer}'s subscription to ${io.obj} has seq ${io.sub.seq}, ahead of the sequence ${seq}`,
          objs: [io.obj],
          importers: [importer],
        };
      }
    }
    return null;
  },
};
