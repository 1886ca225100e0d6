/**
 * The observers' record of every page's logical value: the last completed write (CPU or DMA),
 * or "lost" after a reported VRAM loss; 0 if never written. Kept apart from the world, updated
 * only from what steps report having done.
 */
import type { Observation } from '../src/world/types.js';

export type Ghost = Map<string, number | 'lost'>;

export function ghostKey(uid: number, page: number): string {
  return `${uid}:${page}`;
}

export function expected(g: Ghost, uid: number, page: number): number | 'lost' {
  return g.get(ghostKey(uid, page)) ?? 0;
}

/** Fold a step's writes and reported losses into the record. */
export function applyObservations(
  g: Ghost,
  obs: readonly Observation[],
  uidOf: (obj: string) => number | undefined,
): void {
  for (const o of obs) {
    if (o.k === 'write') {
      const uid = uidOf(o.obj);
      if (uid !== undefined) g.set(ghostKey(uid, o.page), o.value);
    } else if (o.k === 'lost') {
      const uid = uidOf(o.obj);
      if (uid !== undefined) g.set(ghostKey(uid, o.page), 'lost');
    }
  }
}
