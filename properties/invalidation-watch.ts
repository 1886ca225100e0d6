/**
 * The observers' count of how long each invalidation has been running unhindered: for every
 * active range, the atomic steps its process took since it was last blocked while that range was
 * the process's innermost (a nested reclaim's steps count for the nested range); and the highest
 * invalidate_seq seen after a step (Notifier.SeqMovesForward). Kept apart from the world, updated
 * only from which process stepped, whether it was blocked and the sequence it left.
 */
import type { World } from '../src/world/types.js';

export class InvalidationWatch {
  private readonly steps = new Map<number, number>();
  private seqHigh = 0;

  /** A step of process `pid` was taken (`blocked`: it only found out that it must wait). */
  note(w: World, pid: number, blocked: boolean): void {
    if (w.mm.seq > this.seqHigh) this.seqHigh = w.mm.seq;
    const ranges = w.mm.ranges;
    if (this.steps.size > 0) {
      for (const id of this.steps.keys())
        if (!ranges.some((r) => r.id === id)) this.steps.delete(id);
    }
    let inner = -1;
    for (const r of ranges) if (r.by === pid) inner = r.id;
    if (inner < 0) return;
    this.steps.set(inner, blocked ? 0 : (this.steps.get(inner) ?? 0) + 1);
  }

  /** The highest invalidate_seq any step has left (0 before the first step). */
  highestSeq(): number {
    return this.seqHigh;
  }

  /** The active ranges and the steps each has taken unhindered. */
  counts(): ReadonlyMap<number, number> {
    return this.steps;
  }
}
