/**
 * Swap slots: a page refers to the slot holding its copy (AnonPage.swap); after fork a swapped
 * page's slot is shared by both processes' pages (swap_duplicate), counted in the slot's refs. A
 * slot is free once nothing refers to it; a shared slot is never written over.
 */
import type { AnonPage, World } from '../world/types.js';

/** A free slot, if any (lowest first). */
export function freeSlot(w: World): number | null {
  const i = w.swap.findIndex((s) => !s.used);
  return i < 0 ? null : i;
}

/** The page lets go of its slot (it is freed with the last reference). */
export function dropSlot(w: World, pg: AnonPage): void {
  if (pg.swap === null) return;
  const slot = w.swap[pg.swap];
  pg.swap = null;
  if (!slot) return;
  slot.refs -= 1;
  if (slot.refs <= 0) {
    slot.refs = 0;
    slot.used = false;
    slot.data = null;
  }
}

/** Another page refers to the slot too (fork of a swapped page). */
export function shareSlot(w: World, slot: number): void {
  const s = w.swap[slot];
  if (s) s.refs += 1;
}

/**
 * The slot a swap-out writes the page to: its own, unless another process shares it (then a
 * fresh one, the shared copy left to the other); null when none is free.
 */
export function writableSlot(w: World, pg: AnonPage): number | null {
  if (pg.swap !== null && (w.swap[pg.swap]?.refs ?? 0) <= 1) return pg.swap;
  return freeSlot(w);
}

/** Point the page at a slot it takes (a fresh one, or its own again). */
export function takeSlot(w: World, pg: AnonPage, slot: number): void {
  if (pg.swap === slot) return;
  dropSlot(w, pg);
  const s = w.swap[slot];
  if (!s) return;
  s.used = true;
  s.refs += 1;
  pg.swap = slot;
}
