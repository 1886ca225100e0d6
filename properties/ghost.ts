/**
 * The observers' record of every page's logical value: the last completed write (CPU or DMA),
 * or "lost" after a reported VRAM loss; 0 if never written. Kept apart from the world, updated
 * only from what steps report having done. A page's lives are kept apart (pageLife): after
 * munmap or MADV_DONTNEED the process sees a fresh page, after a copy-on-write a copy, while a pin
 * taken before still reads the old one. fork starts the child's pages with the parent's values.
 *
 * A DMA read is not atomic: it is issued, then completes. Linearizable, it may return the value
 * the page held when it was issued or any value written while it was in flight.
 */
import type { Observation } from '../src/world/types.js';

type Value = number | 'lost';

export class Ghost {
  private readonly value = new Map<string, Value>();
  /** In-flight DMA reads: the values each may still return. */
  private readonly inflight = new Map<number, { key: string; values: Set<Value> }>();

  current(uid: number, page: number, gen = 0): Value {
    return this.value.get(ghostKey(uid, page, gen)) ?? 0;
  }

  /** The values a completing read may return. */
  acceptable(uid: number, page: number, dma: number | undefined, gen = 0): readonly Value[] {
    const now = this.current(uid, page, gen);
    const r = dma === undefined ? undefined : this.inflight.get(dma);
    return r ? [now, ...r.values] : [now];
  }

  /** Fold a step's reads, writes and reported losses into the record. */
  apply(obs: readonly Observation[], uidOf: (obj: string) => number | undefined): void {
    for (const o of obs) {
      if (o.k === 'read-issue') {
        const uid = uidOf(o.obj);
        if (uid === undefined) continue;
        this.inflight.set(o.id, {
          key: ghostKey(uid, o.page, o.gen ?? 0),
          values: new Set([this.current(uid, o.page, o.gen)]),
        });
      } else if (o.k === 'write' || o.k === 'lost') {
        const uid = uidOf(o.obj);
        if (uid === undefined) continue;
        const v: Value = o.k === 'write' ? o.value : 'lost';
        const key = ghostKey(uid, o.page, o.gen ?? 0);
        this.value.set(key, v);
        for (const r of this.inflight.values()) if (r.key === key) r.values.add(v);
      } else if (o.k === 'read' && o.dma !== undefined) {
        this.inflight.delete(o.dma);
      } else if (o.k === 'cow') {
        const uid = uidOf(o.obj);
        const v = uid === undefined ? undefined : this.value.get(ghostKey(uid, o.page, o.from));
        if (uid !== undefined && v !== undefined) this.value.set(ghostKey(uid, o.page, o.to), v);
      } else if (o.k === 'fork') {
        const from = uidOf(o.from);
        const to = uidOf(o.to);
        if (from === undefined || to === undefined) continue;
        o.gens.forEach((gen, page) => {
          const v = this.value.get(ghostKey(from, page, gen));
          if (v !== undefined) this.value.set(ghostKey(to, page, 0), v);
        });
      }
    }
  }
}

function ghostKey(uid: number, page: number, gen: number): string {
  return gen === 0 ? `${uid}:${page}` : `${uid}:${page}:${gen}`;
}
