/**
 * fork's copy of the address space [kernel/fork.c dup_mmap → mm/memory.c copy_page_range]:
 *
 *   lock       mmap_lock for write on every anon range of the parent
 *   per range  invalidate_range_start(MMU_NOTIFY_PROTECTION_PAGE) on the parent's range (the
 *              child gets no notifier) and each subscriber's invalidate(); then, under the PTLs,
 *              copy every PTE into the child's range `child/name`, invalidate_range_end
 *   finish     unlock; the child runs
 *
 * A shared range (MAP_SHARED, shmem) is not copied: the child maps the same file and faults its
 * pages from the page cache (kernel/shmem.ts); the parent's PTEs stay as they are.
 *
 * How each PTE of a private range is copied:
 *   present        write-protected in both, the frame shared copy-on-write (mapcount 2, no longer
 *                  PageAnonExclusive) — unless it may be DMA-pinned (folio_maybe_dma_pinned,
 *                  70e806e4e645): then the child gets a copy at once and the parent keeps the
 *                  pinned page, writable. The fork-shares-pinned-page fault shares it anyway.
 *   device-private shared read-only by both (device-private pages cannot be pinned)
 *   swap           the slot is shared (swap_duplicate)
 *   hwpoison       copied
 *   exclusive      restored to present in the parent first (no further notifier: the
 *                  invalidation above already reached the device), then copied as present
 *
 * Direct reclaim makes room for the copies first; if there is still none, fork fails with ENOMEM
 * and the half-built child is torn down.
 */
import { allocFrame, copyFrame, systemPool } from '../world/frames.js';
import { emit, observe } from '../world/log.js';
import type { AnonObj, AnonPage, Inherited, Wait, World } from '../world/types.js';
import { memoryWait } from './engine.js';
import { restoreEntry } from './exclusive.js';
import { keyOf, takeUid } from './objects.js';
import { deviceOf, flushTlb, pageLife, setAnonExclusive, setPte, whereIs } from './pages.js';
import { shareSlot } from './swap.js';

/** Whether fork must copy the page for the child now (page_needs_cow_for_dma). */
export function needsCopyAtFork(w: World, pg: AnonPage): boolean {
  if (pg.pte.t !== 'present' && pg.pte.t !== 'exclusive') return false;
  if (w.faults['fork-shares-pinned-page']) return false;
  return (w.frames[pg.pte.f]?.pins ?? 0) > 0;
}

/**
 * A page fork must copy now that lives in the memory of a device being reset: garbage until
 * the reset recovers (and reports the loss), so the copy waits, as CPU access does.
 */
export function copyAtForkWait(w: World, o: AnonObj): Wait | null {
  for (const pg of o.page) {
    if (!needsCopyAtFork(w, pg) || !('f' in pg.pte)) continue;
    const mem = memoryWait(w, pg.pte.f);
    if (mem) return mem;
  }
  return null;
}

/** The name a range of `o` gets in the child: the same name in the child's namespace. */
export function childName(child: string, o: AnonObj): string {
  const base = o.name.slice(o.name.lastIndexOf('/') + 1);
  return `${child}/${base}`;
}

function freshPage(pg: AnonPage): AnonPage {
  return {
    pte: { t: 'none' },
    tlb: null,
    swap: null,
    lockedBy: null,
    lost: pg.lost,
    prot: pg.prot,
    drops: 0,
    cows: 0,
  };
}

/** What the child inherits: the parent's data so far, and what the parent inherited. */
function lineage(w: World, o: AnonObj): Inherited[] {
  const before = w.writes + 1;
  const up = (w.lineage[o.uid] ?? []).map((a) => ({
    uid: a.uid,
    before: Math.min(a.before, before),
  }));
  return [{ uid: o.uid, before }, ...up];
}

/**
 * Copy one range into the child (under the PTLs: one atomic step). 'ENOMEM' when a copy of a
 * maybe-pinned page found no frame; the child's range is then left half-built for the caller
 * to tear down.
 */
export function copyRange(w: World, o: AnonObj, child: string): 'ok' | 'ENOMEM' {
  if (o.shared) {
    shareRange(w, o, child);
    return 'ok';
  }
  const name = childName(child, o);
  const uid = takeUid(w);
  const c: AnonObj = {
    kind: 'anon',
    name,
    process: child,
    key: `${name}#${uid}`,
    uid,
    pages: o.pages,
    destroyed: false,
    page: o.page.map(freshPage),
    mmap: { readers: [], writer: null },
  };
  w.objects[name] = c;
  w.lineage[uid] = lineage(w, o);
  emit(w, { type: 'obj.create', obj: c.key, kind: 'anon', pages: c.pages });
  observe(w, { k: 'fork', from: o.name, to: name, gens: o.page.map(pageLife) });
  for (let page = 0; page < o.pages; page++) {
    const pg = o.page[page];
    const cp = c.page[page];
    if (!pg || !cp) continue;
    if (copyPte(w, o, c, page, pg, cp) === 'ENOMEM') return 'ENOMEM';
  }
  return 'ok';
}

/**
 * A shared mapping (shmem) in the child: the same file, so the same uid and page cache, and no
 * PTE yet — the child's first touch of each page faults it from the cache.
 */
function shareRange(w: World, o: AnonObj, child: string): void {
  const name = childName(child, o);
  const c: AnonObj = {
    kind: 'anon',
    name,
    process: child,
    shared: true,
    // A key of its own (a fork that failed and is tried again makes the range anew).
    key: `${name}#${takeUid(w)}`,
    uid: o.uid,
    pages: o.pages,
    destroyed: false,
    page: o.page.map((pg) => ({ ...freshPage(pg), lost: false })),
    mmap: { readers: [], writer: null },
  };
  w.objects[name] = c;
  emit(w, { type: 'obj.create', obj: c.key, kind: 'anon', pages: c.pages });
}

function copyPte(
  w: World,
  o: AnonObj,
  c: AnonObj,
  page: number,
  pg: AnonPage,
  cp: AnonPage,
): 'ok' | 'ENOMEM' {
  if (pg.pte.t === 'exclusive') restoreEntry(w, o, page);
  const pte = pg.pte;
  const inherit = (
    where: 'system' | 'private' | 'coherent' | 'swap' | 'poison',
    f: number | null,
  ) =>
    emit(w, {
      type: 'page.inherit',
      obj: c.key,
      page,
      where,
      device: f === null ? null : deviceOf(w, f),
      shared: f !== null && w.frames[f]?.maps !== 1,
    });
  switch (pte.t) {
    case 'none':
    case 'migration':
    case 'exclusive':
      // A migration holds mmap_lock for read, so fork never meets its entries.
      return 'ok';
    case 'swap':
      shareSlot(w, pte.slot);
      cp.pte = { t: 'swap', slot: pte.slot };
      cp.swap = pte.slot;
      inherit('swap', null);
      return 'ok';
    case 'poison':
      cp.pte = { t: 'poison' };
      inherit('poison', null);
      return 'ok';
    case 'devpriv':
    case 'present': {
      if (needsCopyAtFork(w, pg)) {
        const g = allocFrame(w, systemPool(), { obj: c.name, page });
        if (g === null) return 'ENOMEM';
        copyFrame(w, pte.f, g, 'fork copy of a maybe-pinned page');
        setPte(w, cp, { t: 'present', f: g, dirty: true, write: cp.prot === 'rw' });
        setAnonExclusive(w, g, true);
        inherit('system', g);
        return 'ok';
      }
      flushTlb(pg);
      setPte(w, pg, { ...pte, write: false });
      setPte(w, cp, { ...pte, write: false });
      setAnonExclusive(w, pte.f, false);
      emit(w, { type: 'page.share', obj: o.key, page });
      inherit(pte.t === 'devpriv' ? 'private' : whereIs(w, pte.f), pte.f);
      return 'ok';
    }
  }
}

/** fork failed: take the half-built child apart (its frames go, the parent's stay shared). */
export function tearDownChild(w: World, child: string, zap: (o: AnonObj) => void): void {
  for (const name of Object.keys(w.objects)) {
    const o = w.objects[name];
    if (o?.kind !== 'anon' || o.process !== child) continue;
    zap(o);
    o.destroyed = true;
    emit(w, { type: 'obj.destroy', obj: keyOf(w, name) });
  }
  delete w.processes[child];
}
