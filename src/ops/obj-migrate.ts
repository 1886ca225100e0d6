/**
 * obj.migrate: move an anon range between RAM and a device (migrate_vma_setup / pages /
 * finalize), or a whole bo between its domains (a TTM move with move_notify).
 * Phases: collect, copy, commit. Value: { moved, skipped }.
 */
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import { type MigState, migPhase, newMigration, planMigration } from '../kernel/migrate.js';
import { allPages } from '../kernel/pages.js';
import type { Errno } from '../world/errno.js';
import type { Proc, World } from '../world/types.js';
import { isErrno, liveObj, optIntList, str } from './args.js';
import { type BoMoveState, boMovePhase, planBoMigrate, startBoMigrate } from './bo-migrate.js';
import { deviceErrno } from './device-state.js';

type St = { readonly kind: 'anon'; mig: MigState } | { readonly kind: 'bo'; move: BoMoveState };

function startAnon(
  w: World,
  a: Readonly<Record<string, unknown>>,
  obj: string,
  uid: number,
  pages: number,
): St | Errno {
  const to = str(a, 'to');
  if (to !== 'vram' && to !== 'system') return 'EINVAL';
  const list = optIntList(a, 'pages');
  if (list === null) return 'EINVAL';
  const sel = list ?? allPages(pages);
  if (sel.some((i) => i < 0 || i >= pages) || new Set(sel).size !== sel.length) return 'EINVAL';
  let device: string | null = null;
  if (to === 'vram') {
    device = str(a, 'device');
    if (device === null) return 'EINVAL';
    const err = deviceErrno(w, device);
    if (err) return err;
    if (w.devices[device]?.frozen) return 'EBUSY';
  } else if (a.device !== undefined) {
    return 'EINVAL';
  }
  return { kind: 'anon', mig: newMigration(obj, uid, sel, to, device, null) };
}

export const objMigrate = defineOp<St>({
  name: 'obj.migrate',
  phases: ['collect', 'copy', 'commit'],
  start(w, a) {
    const o = liveObj(w, a);
    if (isErrno(o)) return o;
    const st =
      o.kind === 'anon' ? startAnon(w, a, o.name, o.uid, o.pages) : startBoMigrate(w, a, o);
    if (isErrno(st)) return st;
    return { pc: 'run', st: st as St };
  },
  phaseOf: (_w, p) => (p.st.kind === 'anon' ? migPhase(p.st.mig) : boMovePhase(p.st.move)),
  plan(w, p) {
    const s = p.st;
    if (s.kind === 'bo') return planBoMigrate(w, p as Proc, s.move);
    const step = planMigration(w, p, s.mig);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === null) return PROGRESS;
      if (r.error) return failed(r.error);
      return done({ moved: r.moved, skipped: r.skipped });
    };
  },
});
