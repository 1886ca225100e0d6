/** dev.resume: power the device back on; VRAM takes new work again. */
import { defineOp, done, failNow } from '../exec/op.js';
import { emit } from '../world/log.js';
import { isErrno, liveDevice } from './args.js';

export const devResume = defineOp<{ readonly device: string }>({
  name: 'dev.resume',
  phases: ['resume'],
  start(w, a) {
    const d = liveDevice(w, a);
    if (isErrno(d)) return d;
    if (d.power !== 'suspended') return 'EINVAL';
    return { pc: 'run', st: { device: d.id } };
  },
  phaseOf: () => 'resume',
  plan(w, p) {
    const d = w.devices[p.st.device];
    if (!d || d.gone) return failNow('ENODEV');
    if (d.power !== 'suspended') return failNow('EINVAL');
    return () => {
      d.power = 'active';
      d.frozen = false;
      emit(w, { type: 'dev.resume', device: d.id });
      return done();
    };
  },
});
