/** dev.hang: the GPU stops completing work; copies and its mirror's DMA wait for a reset. */
import { defineOp, done, failNow } from '../exec/op.js';
import { emit } from '../world/log.js';
import { isErrno, liveDevice } from './args.js';

export const devHang = defineOp<{ readonly device: string }>({
  name: 'dev.hang',
  phases: ['hang'],
  start(w, a) {
    const d = liveDevice(w, a);
    if (isErrno(d)) return d;
    if (d.power !== 'active') return 'EINVAL';
    return { pc: 'run', st: { device: d.id } };
  },
  phaseOf: () => 'hang',
  plan(w, p) {
    const d = w.devices[p.st.device];
    if (!d || d.gone) return failNow('ENODEV');
    if (d.power !== 'active') return failNow('EINVAL');
    return () => {
      d.power = 'hung';
      emit(w, { type: 'dev.hang', device: d.id });
      return done();
    };
  },
});
