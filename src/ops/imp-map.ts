/**
 * imp.map: a mirror faults the object's pages in and programs its device page table with the
 * hmm.rst pattern (phases fault, commit); a dma-buf importer gets an sg table from the
 * exporter (phases place, commit).
 */
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import { type MirrorMapState, mirrorPhase, newMirrorMap, planMirrorMap } from '../kernel/hmm.js';
import { allPages } from '../kernel/pages.js';
import type { Proc } from '../world/types.js';
import { importerCfg, isErrno, liveObj, optBool } from './args.js';
import { deviceErrno } from './device-state.js';
import {
  type DmabufMapState,
  dmabufMapErrno,
  dmabufMapPhase,
  newDmabufMap,
  planDmabufMap,
} from './dmabuf-map.js';

type St =
  | { readonly kind: 'mirror'; m: MirrorMapState }
  | { readonly kind: 'dmabuf'; m: DmabufMapState };

export const impMap = defineOp<St>({
  name: 'imp.map',
  phases: ['fault', 'place', 'commit'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const io = w.importers[ic.id]?.objs[o.name];
    if (ic.kind === 'mirror') {
      if (o.kind !== 'anon' || !io?.sub) return 'EINVAL';
      const err = deviceErrno(w, ic.device);
      if (err) return err;
      // HMM_PFN_REQ_WRITE unless `write: false` (a read-only mapping).
      const write = optBool(a, 'write', true);
      if (write === null) return 'EINVAL';
      const m = newMirrorMap(ic.id, o.name, o.uid, allPages(o.pages), write);
      return { pc: 'run', st: { kind: 'mirror', m } };
    }
    if (ic.kind === 'dmabuf') {
      if (o.kind !== 'bo' || !io?.att || a.write !== undefined) return 'EINVAL';
      const err = dmabufMapErrno(w, ic, o);
      if (err) return err;
      return { pc: 'run', st: { kind: 'dmabuf', m: newDmabufMap(ic.id, o) } };
    }
    return 'EINVAL';
  },
  phasesOf: (p) => (p.st.kind === 'mirror' ? ['fault', 'commit'] : ['place', 'commit']),
  phaseOf: (w, p) => (p.st.kind === 'mirror' ? mirrorPhase(p.st.m) : dmabufMapPhase(w, p.st.m)),
  plan(w, p) {
    const s = p.st;
    if (s.kind === 'dmabuf') return planDmabufMap(w, p as Proc, s.m);
    const step = planMirrorMap(w, p, s.m);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === 'progress') return PROGRESS;
      if (r !== 'mapped') return failed(r);
      const io = w.importers[s.m.importer]?.objs[s.m.obj];
      if (io) io.mapped = true;
      return done();
    };
  },
});
