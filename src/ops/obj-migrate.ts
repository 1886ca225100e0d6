/**
 * obj.migrate: move an anon range between RAM and a device (migrate_vma_setup / pages /
 * finalize), or a whole bo between its domains (a TTM move with move_notify).
 * Phases: collect, copy, commit. Value: { moved, skipped }.
 */
import { defineOp, done, failed, PROGRESS } from '../exec/op.js';
import {
  type MigSelect,
  type MigState,
  migPhase,
  newMigration,
  planMigration,
} from '../kernel/migrate.js';
import { allPages } from '../kernel/pages.js';
import type { Errno } from '../world/errno.js';
import type { Proc, World } from '../world/types.js';
import { isErrno, liveObj, optIntList, str } from './args.js';
import { type BoMoveState, boMovePhase, planBoMigrate, startBoMigrate } from './bo-migrate.js';
import { deviceErrno } from './device-state.js';

type St = { readonly kind: 'anon'; mig: MigState } | { readonly kind: 'bo'; move: BoMoveState };

const SELECT_FLAGS = ['system', 'device_private', 'device_coherent'] as const;

/** `select`: migrate_vma's MIGRATE_VMA_SELECT_* flags, by their suffix; default what drivers pass. */
function parseSelect(a: Readonly<Record<string, unknown>>): MigSelect | null | undefined {
  const v = a.select;
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || new Set(v).size !== v.length) return null;
  if (!v.every((x) => (SELECT_FLAGS as readonly unknown[]).includes(x))) return null;
  return {
    system: v.includes('system'),
    private: v.includes('device_private'),
    coherent: v.includes('device_coherent'),
  };
}

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
  // By default every page still mapped; naming a munmapped page is EINVAL (no VMA there).
  const o = w.objects[obj];
  const unmapped = (i: number) => o?.kind === 'anon' && o.page[i]?.prot === 'none';
  const sel = list ?? allPages(pages).filter((i) => !unmapped(i));
  if (sel.some((i) => i < 0 || i >= pages) || new Set(sel).size !== sel.length) return 'EINVAL';
  if (sel.length === 0 || sel.some(unmapped)) return 'EINVAL';
  const select = parseSelect(a);
  if (select === null) return 'EINVAL';
  let owner: string | null | undefined;
  if (a.owner !== undefined) {
    owner = str(a, 'owner');
    if (owner === null || !w.devices[owner]) return 'EINVAL';
  }
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
  const mig = newMigration({
    obj,
    uid,
    pages: sel,
    to,
    device,
    ...(select ? { select } : {}),
    ...(owner !== undefined ? { owner } : {}),
  });
  return { kind: 'anon', mig };
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
