/**
 * Reporting lost data: a page whose frame lost its content with VRAM reads "lost" until it is
 * written again, and the loss is reported (an observation and a specification event).
 */
import { emit, observe } from '../world/log.js';
import type { AnonObj, BoObj, Obj, World } from '../world/types.js';

/** byReset: the loss a dev.reset reports (every mapping of it was invalidated first). */
export function markAnonLost(w: World, o: AnonObj, page: number, byReset = false): void {
  const pg = o.page[page];
  if (!pg || pg.lost) return;
  pg.lost = true;
  observe(w, { k: 'lost', obj: o.name, page, gen: pg.drops + pg.cows });
  emit(w, { type: 'page.lost', obj: o.key, page, byReset });
}

export function markBoLost(w: World, bo: BoObj, pages: readonly number[], byReset = false): void {
  const fresh = pages.filter((p) => !bo.lost[p]);
  if (fresh.length === 0) return;
  for (const p of fresh) {
    bo.lost[p] = true;
    observe(w, { k: 'lost', obj: bo.name, page: p });
  }
  emit(w, { type: 'bo.lost', obj: bo.key, byReset });
}

/** Whether the page's data was lost: reads return "lost" until it is written again. */
export function isLost(o: Obj | undefined, page: number): boolean {
  if (o?.kind === 'anon') return o.page[page]?.lost === true;
  if (o?.kind === 'bo') return o.lost[page] === true;
  return false;
}

/** A write gives the page data again. */
export function clearLost(o: Obj | undefined, page: number): void {
  if (o?.kind === 'anon') {
    const pg = o.page[page];
    if (pg) pg.lost = false;
  } else if (o?.kind === 'bo') {
    o.lost[page] = false;
  }
}

/**
 * The page starts a new life (dropped, or copied on write) while its data is lost: the pins of
 * the life that ends keep the lost frame, and reads through them keep returning "lost".
 */
export function carryLossToPins(w: World, o: AnonObj, page: number): void {
  const pg = o.page[page];
  if (!pg?.lost) return;
  const life = pg.drops + pg.cows;
  for (const imp of Object.values(w.importers)) {
    const io = imp.objs[o.name];
    const pin = io?.pin;
    if (!io || !pin) continue;
    const k = pin.pages.indexOf(page);
    if (k < 0 || (pin.drops[k] ?? 0) + (pin.cows[k] ?? 0) !== life) continue;
    if (!pin.lost?.includes(page)) io.pin = { ...pin, lost: [...(pin.lost ?? []), page] };
  }
}
