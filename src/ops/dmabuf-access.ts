/**
 * DMA by a dma-buf importer: through its mapping; an invalidated dynamic mapping is re-mapped
 * first; before using a (new) mapping the importer waits for the exporter's move fence
 * (umem_dmabuf: "wait for the exporter to finish the migration").
 */
import { failed, failNow, type Outcome, type Plan, PROGRESS } from '../exec/op.js';
import {
  type DmabufMapState,
  newDmabufMapState,
  planDmabufMapRoutine,
} from '../kernel/dmabuf-map.js';
import { objOf } from '../kernel/objects.js';
import { isDeviceFrame } from '../world/frames.js';
import type { Proc, World } from '../world/types.js';

export type DmabufIssueState = { remap: DmabufMapState | null };

export function newDmabufIssue(): DmabufIssueState {
  return { remap: null };
}

/** One step of a re-map: the one under way, or a fresh one that is under way once it steps. */
function planRemap(w: World, p: Proc, s: DmabufIssueState, remap: DmabufMapState): Plan {
  const step = planDmabufMapRoutine(w, p, remap);
  if (typeof step !== 'function') return step;
  return () => {
    s.remap = remap;
    const r = step();
    if (r === 'progress') return PROGRESS;
    s.remap = null;
    return r === 'mapped' ? PROGRESS : failed(r);
  };
}

export function planDmabufIssue(
  w: World,
  p: Proc,
  importer: string,
  obj: string,
  uid: number,
  page: number,
  s: DmabufIssueState,
  issue: (f: number) => Outcome,
): Plan {
  const bo = objOf(w, obj, uid);
  const io = w.importers[importer]?.objs[obj];
  // A re-map under way is finished (or failed) by its own routine, which holds the lock.
  if (s.remap) return planRemap(w, p, s, s.remap);
  // Detached meanwhile (the bo may be gone, its name reused): no attachment to use.
  if (bo?.kind !== 'bo' || !io?.att || io.att.revoked) return failNow('EINVAL');
  if (!io.mapped) return failNow('EFAULT');
  // The exporter is gone: a dynamic importer's mapping was revoked. Nothing revokes a static
  // (pinned) attachment: one pinned in system memory keeps working until it unmaps or detaches;
  // one pinned in VRAM reads EIO while release waits for its pin.
  if (w.devices[bo.device]?.gone) {
    if (io.att.dynamic) return failNow('ENODEV');
    if (io.pin?.frames.some((f) => isDeviceFrame(w, f)) ?? true) return failNow('EIO');
  }
  const e = io.pt[page];
  if (!e || io.att.invalidated) return planRemap(w, p, s, newDmabufMapState(importer, bo, false));
  if (bo.fence && !bo.fence.signalled && !w.faults['map-without-kernel-fence']) {
    return { on: 'fence', obj, holder: bo.fence.by };
  }
  return () => issue(e.f);
}
