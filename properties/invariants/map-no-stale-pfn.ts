import { backingFrame } from './backing.js';
import type { Invariant } from './types.js';

/** Whether the CPU PTE that maps an anon page allows writes (null: not an anon page). */
function cpuWritable(w: Parameters<Invariant['check']>[0]['w'], obj: string, page: number) {
  const o = w.objects[obj];
  if (o?.kind !== 'anon') return null;
  const pte = o.page[page]?.pte;
  if (!pte || pte.t === 'none' || pte.t === 'swap' || pte.t === 'poison') return null;
  return pte.write;
}

/** Why a device PTE is stale, in words: another frame backs the page, or this one was reused. */
function staleWhy(
  e: { readonly f: number; readonly tag: number },
  fr: { readonly tag: number; readonly state: string } | undefined,
  b: number | null,
): string {
  if (b !== e.f) {
    const reused = fr !== undefined && fr.tag !== e.tag ? ' (since reallocated)' : '';
    return `${reused}, but the page is backed by ${b ?? 'no frame'}`;
  }
  if (!fr || fr.state === 'free') return ', which backs the page but is free';
  return `, learned at allocation ${e.tag}, but the frame was freed and reallocated to the page since (allocation ${fr.tag})`;
}

export const mapNoStalePfn: Invariant = {
  name: 'Map.NoStalePfn',
  statement:
    'every live device-page-table entry points at the frame that currently backs its page, and lets the device write only if the CPU PTE does (a view taken before a write-protect is stale)',
  check({ w, imps }) {
    for (const { importer, io } of imps) {
      for (let page = 0; page < io.pt.length; page++) {
        const e = io.pt[page];
        if (!e) continue;
        const b = backingFrame(w, io.obj, page);
        const fr = w.frames[e.f];
        if (b !== e.f || !fr || fr.tag !== e.tag || fr.state === 'free') {
          return {
            message: `${importer} maps ${io.obj}[${page}] to frame ${e.f}${staleWhy(e, fr, b)}`,
            frames: b === null || b === e.f ? [e.f] : [e.f, b],
            objs: [io.obj],
            importers: [importer],
          };
        }
        if (e.write && cpuWritable(w, io.obj, page) === false) {
          return {
            message: `${importer} may write ${io.obj}[${page}] (frame ${e.f}), but the CPU PTE is write-protected`,
            frames: [e.f],
            objs: [io.obj],
            importers: [importer],
          };
        }
      }
    }
    return null;
  },
};
