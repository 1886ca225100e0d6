/**
 * vma.unmap: munmap part or all of an anon object's range (phases invalidate, commit). The
 * subscribers get MMU_NOTIFY_UNMAP; each page's frame loses the mapping — a pinned frame stays
 * with its pin until the last unpin, one another process maps stays with it. Later CPU access
 * to the range is SIGSEGV (EFAULT); importers reach what they pinned through their pins. Pages
 * already unmapped are left as they are.
 */
import { defineOp, done, failNow, PROGRESS } from '../exec/op.js';
import { objOf } from '../kernel/objects.js';
import { newVmaChange, planVmaChange, type VmaChange } from '../kernel/vma.js';
import { zapPages } from '../kernel/zap.js';
import { isErrno, liveObj, pageList } from './args.js';

export const vmaUnmap = defineOp<VmaChange>({
  name: 'vma.unmap',
  phases: ['invalidate', 'commit'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (o.kind !== 'anon') return 'EINVAL';
    const pages = pageList(a, o.pages);
    if (isErrno(pages)) return pages;
    return { pc: 'run', st: newVmaChange(o.name, o.uid, pages, 'unmap') };
  },
  phaseOf: (_w, p) => (p.st.stage === 'commit' ? 'commit' : 'invalidate'),
  plan(w, p) {
    const c = p.st;
    const o = objOf(w, c.obj, c.uid);
    if (o?.kind !== 'anon' || o.destroyed) return failNow('ENOENT');
    const step = planVmaChange(w, p, o, c, () => zapPages(w, o, c.pages, 'unmap'));
    if (typeof step !== 'function') return step;
    return () => (step() === 'done' ? done() : PROGRESS);
  },
});
