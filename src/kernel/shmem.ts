/**
 * Shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS) [mm/shmem.c]: the pages belong to an
 * internal shmem file, not to the process. Each page lives in the file's page cache from its
 * first touch; every range mapping the file faults the same page from there (shmem_fault), so a
 * write through one mapping is seen through all of them, and dropping a mapping (MADV_DONTNEED)
 * leaves the page and its data in the cache for the next touch. The file, and with it the cache,
 * goes when the last range mapping it is unmapped.
 *
 * What the kernel does not do to shmem pages, and the model follows: copy-on-write (a write
 * fault on a read-only PTE of a shared mapping makes it writable in place, wp_page_shared), the
 * unshare of a read-only FOLL_PIN (gup_must_unshare is for anon pages), migration to device
 * memory (migrate_vma_pages takes anonymous pages only), device-exclusive access
 * (make_device_exclusive: EOPNOTSUPP for a page that is not anon). Model choice: shmem pages are
 * not swapped out (reclaim refuses them with EBUSY).
 */
import { allocFrame, releaseFrame, systemPool } from '../world/frames.js';
import type { AnonObj, World } from '../world/types.js';

/** The page-cache frame of a shared range's page, or null (not touched yet, or not shared). */
export function cachedFrame(w: World, o: AnonObj, page: number): number | null {
  // (A private range's uid has no page cache.)
  return w.shmem[o.uid]?.[page] ?? null;
}

/** A fresh page cache for a shared range just created. */
export function newShmem(w: World, o: AnonObj): void {
  w.shmem[o.uid] = new Array<number | null>(o.pages).fill(null);
}

/** shmem_fault's allocation of a page not in the cache yet: the cache holds the new frame. */
export function shmemAlloc(w: World, o: AnonObj, page: number): number | null {
  const cache = w.shmem[o.uid];
  if (!cache) return null;
  const f = allocFrame(w, systemPool(), { obj: o.name, page });
  if (f === null) return null;
  cache[page] = f;
  return f;
}

/** The ranges (of any process) that still map the file: not destroyed, some page not munmapped. */
function liveSharers(w: World, uid: number): AnonObj[] {
  const out: AnonObj[] = [];
  for (const name in w.objects) {
    const o = w.objects[name];
    if (o?.kind !== 'anon' || o.uid !== uid || !o.shared || o.destroyed) continue;
    if (o.page.some((pg) => pg.prot !== 'none')) out.push(o);
  }
  return out;
}

/**
 * A range of the file was unmapped or destroyed. While another range still maps the file, the
 * cache's frames that named this range as owner are handed to that one; when none does, the file
 * goes: each cached frame is let go (freed, or left to its pins).
 */
export function shmemLetGo(w: World, o: AnonObj): void {
  const cache = o.shared ? w.shmem[o.uid] : undefined;
  if (!cache) return;
  const heir = liveSharers(w, o.uid)[0];
  if (heir) {
    for (const f of cache) {
      const fr = f === null ? undefined : w.frames[f];
      if (fr?.owner && fr.owner.obj === o.name) fr.owner = { obj: heir.name, page: fr.owner.page };
    }
    return;
  }
  delete w.shmem[o.uid];
  for (const f of cache) if (f !== null) releaseFrame(w, f);
}
