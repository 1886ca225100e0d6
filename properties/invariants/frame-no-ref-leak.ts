import type { Invariant } from './types.js';

/**
 * A page reference taken for the length of an operation (get_page / folio_get: a CPU fault on a
 * device-private page, a migration collecting a page, a copy-on-write copying one) is dropped
 * on every path out. A reference left behind pins the page for ever: it can never be freed, and
 * every later migration skips it for its extra reference. An operation that takes one keeps a
 * pointer to the page (its `holds`) until it puts it, so a frame may have at most as many
 * references as running operations hold pointers to it; and a count never goes below zero (a
 * put without its get frees a page someone still uses). Checked when an operation returns.
 */
export const frameNoRefLeak: Invariant = {
  name: 'Frame.NoRefLeak',
  statement:
    'no page reference outlives the operation that took it: a frame has no more references than running operations hold it, and never fewer than zero',
  check({ w, finished }) {
    if (finished === null) return null;
    for (let f = 0; f < w.frames.length; f++) {
      const refs = w.frames[f]?.refs ?? 0;
      if (refs === 0) continue;
      if (refs < 0) {
        return {
          message: `frame ${f} has ${refs} references (a put without its get) after ${finished.label} (${finished.op}) returned`,
          frames: [f],
        };
      }
      let held = 0;
      for (const p of w.procs) for (const h of p.holds) if (h === f) held += 1;
      if (refs > held) {
        return {
          message: `frame ${f} keeps ${refs} reference${refs === 1 ? '' : 's'} but running operations hold it ${held} time${held === 1 ? '' : 's'}, after ${finished.label} (${finished.op}, pid ${finished.pid}) returned`,
          frames: [f],
        };
      }
    }
    return null;
  },
};
