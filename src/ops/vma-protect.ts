/**
 * vma.protect: mprotect part or all of an anon object's range to read-only (`r`) or read-write
 * (`rw`), phases invalidate and commit. The subscribers get MMU_NOTIFY_PROTECTION_VMA; a mirror
 * drops its entries for the range. Going read-only write-protects the PTEs (device-private and
 * migration entries too; device-exclusive entries are left as they are, as change_pte_range
 * does); going read-write leaves them write-protected: the next write fault reuses the page.
 * ENOMEM if part of the range is unmapped. PROT_NONE is not modelled (EINVAL).
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
import { objOf } from '../kernel/objects.js';
import { flushTlb, setPte } from '../kernel/pages.js';
import { newVmaChange, planVmaChange, type VmaChange } from '../kernel/vma.js';
import { emit } from '../world/log.js';
import type { AnonObj, World } from '../world/types.js';
import { isErrno, liveObj, pageList, str } from './args.js';

interface St {
  readonly prot: 'r' | 'rw';
  c: VmaChange;
}

function protect(w: World, o: AnonObj, pages: readonly number[], prot: 'r' | 'rw'): void {
  for (const page of pages) {
    const pg = o.page[page];
    if (!pg || pg.prot === 'none') continue;
    pg.prot = prot;
    const pte = pg.pte;
    if (prot === 'r' && (pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'migration')) {
      flushTlb(pg);
      if (pte.write) setPte(w, pg, { ...pte, write: false });
    }
    emit(w, { type: 'page.protect', obj: o.key, page, prot });
  }
}

export const vmaProtect = defineOp<St>({
  name: 'vma.protect',
  phases: ['invalidate', 'commit'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const prot = str(a, 'prot');
    if (o.kind !== 'anon' || (prot !== 'r' && prot !== 'rw')) return 'EINVAL';
    const pages = pageList(a, o.pages);
    if (isErrno(pages)) return pages;
    if (pages.some((i) => o.page[i]?.prot === 'none')) return 'ENOMEM';
    return { pc: 'run', st: { prot, c: newVmaChange(o.name, o.uid, pages, 'protection_vma') } };
  },
  phaseOf: (_w, p) => (p.st.c.stage === 'commit' ? 'commit' : 'invalidate'),
  plan(w, p) {
    const { c, prot } = p.st;
    const o = objOf(w, c.obj, c.uid);
    if (o?.kind !== 'anon' || o.destroyed) return failNow('ENOENT');
    const step = planVmaChange(w, p, o, c, () => protect(w, o, c.pages, prot));
    if (typeof step !== 'function') return step;
    return () => (step() === 'done' ? done() : PROGRESS);
  },
});
