/**
 * imp.complete: the user ends a compute job (possibly hours after it started). Its fence
 * signals; the job's process then finishes.
 */
import { defineOp, done, failNow } from '../exec/op.js';
import { keyOf } from '../kernel/objects.js';
import { emit } from '../world/log.js';
import { importerCfg, isErrno, usedObj } from './args.js';

interface St {
  readonly importer: string;
  readonly obj: string;
}

export const impComplete = defineOp<St>({
  name: 'imp.complete',
  phases: ['complete'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = usedObj(w, a, ic.id);
    if (isErrno(o)) return o;
    if (ic.kind !== 'userptr' || ic.queues !== 'compute' || o.kind !== 'anon') return 'EINVAL';
    const job = w.importers[ic.id]?.objs[o.name]?.job;
    if (!job || job.state === 'done') return 'EINVAL';
    if (job.state === 'validating') return 'EBUSY';
    return { pc: 'complete', st: { importer: ic.id, obj: o.name } };
  },
  phaseOf: () => 'complete',
  plan(w, p) {
    const job = w.importers[p.st.importer]?.objs[p.st.obj]?.job;
    if (!job || job.state === 'done') return failNow('EINVAL');
    if (job.state === 'validating') return failNow('EBUSY');
    return () => {
      job.state = 'done';
      emit(w, {
        type: 'job.complete',
        importer: p.st.importer,
        obj: keyOf(w, p.st.obj),
      });
      return done();
    };
  },
});
