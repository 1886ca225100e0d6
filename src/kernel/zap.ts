/**
 * Tearing a process's pages down (zap_page_range / unmap_page_range): munmap (the range is
 * gone: an access is SIGSEGV), MADV_DONTNEED (the next touch gets a zero page, or for shmem the
 * page cache's page again) and the munmap of a whole object. The caller has invalidated the range
 * for the subscribers first. Each frame loses this mapping; it is freed with its last one — a
 * frame still pinned stays with its pin, one another process maps stays with that process, one
 * in a shmem page cache stays there until the file goes. Swap slots are let go the same way.
 */
import { forceFree, releaseFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, World } from '../world/types.js';
import { carryLossToPins } from './loss.js';
import { flushTlb, mappedFrame, setPte } from './pages.js';
import { shmemLetGo } from './shmem.js';
import { dropSlot } from './swap.js';

export type ZapHow = 'unmap' | 'dontneed';

export function zapPages(w: World, o: AnonObj, pages: readonly number[], how: ZapHow): void {
  for (const page of pages) {
    const pg = o.page[page];
    // Already unmapped: nothing left to tear down.
    if (!pg || pg.prot === 'none') continue;
    flushTlb(pg);
    const f = mappedFrame(pg.pte);
    const had = pg.pte.t !== 'none';
    setPte(w, pg, { t: 'none' });
    // (A shmem page stays in its page cache, data and all, for the next touch: releaseFrame.)
    if (f !== null) {
      // The unmap-frees-pinned-frame fault frees the frame under the pin.
      const fr = w.frames[f];
      if (fr && fr.pins > 0 && fr.maps === 0 && w.faults['unmap-frees-pinned-frame'])
        forceFree(w, f);
      else releaseFrame(w, f);
    }
    dropSlot(w, pg);
    carryLossToPins(w, o, page);
    pg.lost = false;
    // What the process sees next is a new page, unless the page cache keeps this one.
    if (how === 'unmap' || !o.shared) pg.drops += 1;
    if (how === 'unmap') pg.prot = 'none';
    // munmap ends the page whatever it held; MADV_DONTNEED only what was there.
    if (how === 'unmap') emit(w, { type: 'page.unmap', obj: o.key, page });
    else if (had && o.shared) emit(w, { type: 'page.zap', obj: o.key, page, cached: true });
    else if (had) emit(w, { type: 'page.zap', obj: o.key, page });
  }
  if (how === 'unmap') shmemLetGo(w, o);
}
