/**
 * imp.pin, phases fault and pin: gup (FOLL_LONGTERM) and dio (FOLL_PIN) importers pin anon
 * pages; a dynamic dma-buf importer pins the bo (dma_buf_pin).
 */
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import { type GupState, gupPhase, newGup, planGup } from '../kernel/gup.js';
import { objOf } from '../kernel/objects.js';
import { allPages } from '../kernel/pages.js';
import type { Proc } from '../world/types.js';
import { importerCfg, importerObj, isErrno, liveObj, optBool, optIntList } from './args.js';
import {
  type DmabufPinState,
  dmabufPinErrno,
  dmabufPinPhase,
  newDmabufPin,
  planDmabufPin,
} from './dmabuf-pin.js';

type St = { readonly kind: 'gup'; g: GupState } | { readonly kind: 'dmabuf'; d: DmabufPinState };

export const impPin = defineOp<St>({
  name: 'imp.pin',
  phases: ['fault', 'pin'],
  start(w, a) {
    const ic = importerCfg(w, a);
    if (isErrno(ic)) return ic;
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const io = w.importers[ic.id]?.objs[o.name];
    if (ic.kind === 'gup' || ic.kind === 'dio') {
      if (o.kind !== 'anon') return 'EINVAL';
      const list = optIntList(a, 'pages');
      if (list === null) return 'EINVAL';
      const pages = list ?? allPages(o.pages);
      if (
        pages.length === 0 ||
        pages.some((i) => i < 0 || i >= o.pages) ||
        new Set(pages).size !== pages.length
      ) {
        return 'EINVAL';
      }
      if (io?.pin) return 'EALREADY';
      // FOLL_WRITE unless `write: false` (a read-only pin: vmsplice, an O_DIRECT write).
      const write = optBool(a, 'write', true);
      if (write === null) return 'EINVAL';
      return {
        pc: 'run',
        st: { kind: 'gup', g: newGup(ic.id, o.name, o.uid, pages, ic.kind === 'gup', write) },
      };
    }
    if (ic.kind === 'dmabuf') {
      if (o.kind !== 'bo' || !io?.att || !ic.dynamic || a.write !== undefined) return 'EINVAL';
      if (io.pin) return 'EALREADY';
      const err = dmabufPinErrno(w, ic, o);
      if (err) return err;
      return { pc: 'run', st: { kind: 'dmabuf', d: newDmabufPin(ic.id, o) } };
    }
    return 'EINVAL';
  },
  phaseOf: (w, p) => (p.st.kind === 'gup' ? gupPhase(w, p.st.g) : dmabufPinPhase(w, p.st.d)),
  plan(w, p) {
    const s = p.st;
    if (s.kind === 'dmabuf') return planDmabufPin(w, p as Proc, s.d);
    const o = objOf(w, s.g.obj, s.g.uid);
    if (o && !o.destroyed) importerObj(w, s.g.importer, o);
    const step = planGup(w, p, s.g);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === 'progress') return PROGRESS;
      return r === 'pinned' ? done() : failed(r);
    };
  },
});
