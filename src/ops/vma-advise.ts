/**
 * vma.advise: madvise(MADV_DONTNEED) on part or all of an anon object's range (phases
 * invalidate, commit). The subscribers get MMU_NOTIFY_CLEAR; the pages are zapped and the next
 * touch gets a zero page; a pinned frame stays with its pinner. ENOMEM if part of the range is
 * unmapped.
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
import { objOf } from '../kernel/objects.js';
import { newVmaChange, planVmaChange, type VmaChange } from '../kernel/vma.js';
import { zapPages } from '../kernel/zap.js';
import { isErrno, liveObj, pageList, str } from './args.js';

export const vmaAdvise = defineOp<VmaChange>({
  name: 'vma.advise',
  phases: ['invalidate', 'commit'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (o.kind !== 'anon' || str(a, 'advice') !== 'dontneed') return 'EINVAL';
    const pages = pageList(a, o.pages);
    if (isErrno(pages)) return pages;
    if (pages.some((i) => o.page[i]?.prot === 'none')) return 'ENOMEM';
    return { pc: 'run', st: newVmaChange(o.name, o.uid, pages, 'clear') };
  },
  phaseOf: (_w, p) => (p.st.stage === 'commit' ? 'commit' : 'invalidate'),
  plan(w, p) {
    const c = p.st;
    const o = objOf(w, c.obj, c.uid);
    if (o?.kind !== 'anon' || o.destroyed) return failNow('ENOENT');
    const live = () => c.pages.filter((i) => o.page[i]?.prot !== 'none');
    const step = planVmaChange(w, p, o, c, () => zapPages(w, o, live(), 'dontneed'));
    if (typeof step !== 'function') return step;
    return () => (step() === 'done' ? done() : PROGRESS);
  },
});
