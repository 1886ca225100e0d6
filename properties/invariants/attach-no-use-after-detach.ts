import type { Invariant } from './types.js';

export const attachNoUseAfterDetach: Invariant = {
  name: 'Attach.NoUseAfterDetach',
  statement: 'no step touches an attachment after its detach completed',
  check({ obs }) {
    for (const o of obs) {
      if (o.k === 'touch-detached') {
        return {
          message: `a callback touched ${o.importer}'s attachment to ${o.obj} after it was detached and freed`,
          importers: [o.importer],
          objs: [o.obj],
        };
      }
    }
    return null;
  },
};
