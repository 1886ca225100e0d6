/** obj.migrate of a bo: a TTM move of the whole bo (see kernel/bo-move). */
import { done, failed, type Plan, PROGRESS } from '../exec/op.js';
import { type BoMoveState, boMovePhaseOf, newBoMove, planBoMove } from '../kernel/bo-move.js';
import type { Errno } from '../world/errno.js';
import type { BoObj, Proc, World } from '../world/types.js';
import { str } from './args.js';
import { deviceErrno } from './device-state.js';

export type { BoMoveState };

export function startBoMigrate(
  w: World,
  a: Readonly<Record<string, unknown>>,
  o: BoObj,
): { kind: 'bo'; move: BoMoveState } | Errno {
  const to = str(a, 'to');
  if (to !== 'vram' && to !== 'system') return 'EINVAL';
  if (a.pages !== undefined || a.select !== undefined || a.owner !== undefined) return 'EINVAL';
  if (a.device !== undefined && a.device !== o.device) return 'EINVAL';
  if (!o.domains.includes(to)) return 'EINVAL';
  const err = deviceErrno(w, o.device);
  if (err) return err;
  if (to === 'vram' && w.devices[o.device]?.frozen) return 'EBUSY';
  return { kind: 'bo', move: newBoMove(o, to, false) };
}

export function boMovePhase(m: BoMoveState): string {
  return boMovePhaseOf(m);
}

export function planBoMigrate(w: World, p: Proc, m: BoMoveState): Plan {
  const step = planBoMove(w, p, m);
  if (typeof step !== 'function') return step;
  return () => {
    const r = step();
    if (r === null) return PROGRESS;
    if (typeof r === 'string') return failed(r);
    return done({ moved: r.moved, skipped: r.skipped });
  };
}
