/**
 * mm.reclaim: swap one anonymous system page out (shrink_folio_list → try_to_unmap), phases
 * collect and commit (see kernel/reclaim: the same steps direct reclaim takes).
 */
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import { newReclaim, planReclaim, type ReclaimState, reclaimRefusal } from '../kernel/reclaim.js';
import { int, isErrno, liveObj, optBool, pageIn } from './args.js';

export const mmReclaim = defineOp<ReclaimState>({
  name: 'mm.reclaim',
  phases: ['collect', 'commit'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (o.kind !== 'anon') return 'EINVAL';
    const page = int(a, 'page');
    const blockable = optBool(a, 'blockable', true);
    if (!pageIn(o, page) || blockable === null) return 'EINVAL';
    const err = reclaimRefusal(w, o, page, -1);
    if (err) return err;
    return { pc: 'run', st: newReclaim(o.name, o.uid, page, blockable) };
  },
  phaseOf: (_w, p) => (p.st.stage === 'commit' ? 'commit' : 'collect'),
  plan(w, p) {
    const step = planReclaim(w, p, p.st);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === null) return PROGRESS;
      return r === 'done' ? done() : failed(r);
    };
  },
});
