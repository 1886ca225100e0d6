/**
 * imp.submit by a userptr importer [amdgpu userptr, KFD/SVM]: phases validate and run.
 *   validate  the hmm.rst pattern: read_begin, fault the pages in, take the driver lock,
 *             read_retry, program the GPU page table
 *   run       the job holds a fence on the object; its DMA uses the GPU page table. A gfx job
 *             completes by itself; a compute job runs until imp.complete (a user action).
 * An invalidation waits for a gfx job's fence but preempts a compute job's queues; the
 * preempted job re-validates and resumes once the invalidation has ended.
 */
import { defineOp, done, failed, type Plan, PROGRESS } from '../exec/op.js';
import { type MirrorMapState, newMirrorMap, planMirrorMap } from '../kernel/hmm.js';
import { readBeginWait } from '../kernel/notifier.js';
import { keyOf, objOf } from '../kernel/objects.js';
import { allPages } from '../kernel/pages.js';
import { emit } from '../world/log.js';
import type { Job, Proc, World } from '../world/types.js';
import { importerCfg, isErrno, liveObj, tidyImporterObj } from './args.js';
import { deviceErrno } from './device-state.js';

interface St {
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  readonly compute: boolean;
  stage: 'validate' | 'run';
  map: MirrorMapState | null;
  /** The job has resumed at least once after a preemption (spec event job.resume). */
  resuming: boolean;
}

function jobOf(w: World, s: St): Job | null {
  return w.importers[s.importer]?.objs[s.obj]?.job ?? null;
}

/** The job ends (its fence signals): it leaves the importer. */
function retireJob(w: World, s: St, p: Proc): void {
  const io = w.importers[s.importer]?.objs[s.obj];
  if (io?.job?.pid === p.pid) io.job = null;
  emit(w, { type: 'job.done', importer: s.importer, obj: keyOf(w, s.obj) });
  tidyImporterObj(w, s.importer, s.obj);
}

function planValidate(w: World, p: Proc, s: St, job: Job): Plan {
  const map =
    s.map ?? newMirrorMap(s.importer, s.obj, s.uid, allPages(w.objects[s.obj]?.pages ?? 0), true);
  const step = planMirrorMap(w, p, map);
  if (typeof step !== 'function') return step;
  return () => {
    s.map = map;
    const r = step();
    if (r === 'progress') return PROGRESS;
    s.map = null;
    if (r !== 'mapped') {
      retireJob(w, s, p);
      return failed(r);
    }
    job.state = 'running';
    job.saved = null;
    emit(w, {
      type: s.resuming ? 'job.resume' : 'job.run',
      importer: s.importer,
      obj: keyOf(w, s.obj),
    });
    s.stage = 'run';
    return PROGRESS;
  };
}

export const impSubmit = defineOp<St>({
  name: 'imp.submit',
  phases: ['validate', 'run'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    if (ic.kind !== 'userptr' || o.kind !== 'anon') return 'EINVAL';
    const io = w.importers[ic.id]?.objs[o.name];
    if (!io?.sub) return 'EINVAL';
    if (io.job) return 'EALREADY';
    const err = deviceErrno(w, ic.device);
    if (err) return err;
    return {
      pc: 'run',
      st: {
        importer: ic.id,
        obj: o.name,
        uid: o.uid,
        compute: ic.queues === 'compute',
        stage: 'validate',
        map: null,
        resuming: false,
      },
    };
  },
  phaseOf: (_w, p) => p.st.stage,
  plan(w, p) {
    const s = p.st;
    const o = objOf(w, s.obj, s.uid);
    const io = w.importers[s.importer]?.objs[s.obj];
    const job = jobOf(w, s);
    if (!job) {
      // The first step: the job takes its place (one per importer and object).
      if (!o || o.destroyed || !io?.sub) return () => failed('ENOENT');
      if (io.job) return () => failed('EALREADY');
      const fresh: Job = { pid: p.pid, state: 'validating', saved: null };
      // The validation goes on in the same step unless it has to wait.
      const validate = planValidate(w, p, s, fresh);
      return () => {
        io.job = fresh;
        emit(w, { type: 'job.submit', importer: s.importer, obj: o.key });
        return typeof validate === 'function' ? validate() : PROGRESS;
      };
    }
    if (job.pid !== p.pid) return () => failed('EALREADY');
    if (s.stage === 'validate') return planValidate(w, p, s, job);
    switch (job.state) {
      case 'running':
        if (!s.compute) {
          return () => {
            retireJob(w, s, p);
            return done();
          };
        }
        return { on: 'complete', importer: s.importer, obj: s.obj };
      case 'preempted': {
        // Resume once the invalidation that preempted the queues has ended.
        const wait = readBeginWait(w, s.importer, s.obj);
        if (wait) return wait;
        const preempted = job;
        if (w.faults['resume-without-revalidate']) {
          return () => {
            const pt = w.importers[s.importer]?.objs[s.obj]?.pt;
            preempted.saved?.forEach((e, page) => {
              if (!e || !pt) return;
              pt[page] = e;
              emit(w, {
                type: 'devpt.set',
                importer: s.importer,
                obj: keyOf(w, s.obj),
                page,
                device: null,
                write: e.write,
              });
            });
            preempted.state = 'running';
            preempted.saved = null;
            emit(w, { type: 'job.resume', importer: s.importer, obj: keyOf(w, s.obj) });
            return PROGRESS;
          };
        }
        return () => {
          preempted.state = 'validating';
          s.stage = 'validate';
          s.resuming = true;
          return PROGRESS;
        };
      }
      case 'done':
        return () => {
          retireJob(w, s, p);
          return done();
        };
      default:
        return planValidate(w, p, s, job);
    }
  },
});
