/**
 * CPU access to a bo, in place wherever it is (VRAM through the BAR): the fault waits for the
 * bo's move fence and maps the page (ttm_bo_vm_fault); the access reads or writes the mapped
 * frame. After hot-unplug the mapping is the dummy page: reads 0, writes are discarded.
 */
import { done, type Plan, PROGRESS } from '../exec/op.js';
import { memoryGone, memoryWait } from '../kernel/engine.js';
import { clearLost, isLost } from '../kernel/loss.js';
import { readFrame, writeFrame, writeStamp } from '../world/frames.js';
import { observe } from '../world/log.js';
import type { BoObj, World } from '../world/types.js';

/** The frame the CPU mapping reaches: the BAR of a device removed by surprise is the dummy page. */
function mapped(w: World, o: BoObj, page: number): number | null {
  const f = o.cpu[page] ?? null;
  return f !== null && memoryGone(w, f) ? w.dummyFrame : f;
}

export function boCpuPhase(w: World, o: BoObj, page: number): string {
  return mapped(w, o, page) === null ? 'fault' : 'access';
}

export function planBoCpu(w: World, o: BoObj, page: number, write: boolean, value: number): Plan {
  const f = mapped(w, o, page);
  if (f === null) {
    if (o.fence && !o.fence.signalled) return { on: 'fence', obj: o.name, holder: o.fence.by };
    return () => {
      // After unplug the mapping is the dummy page (ttm_bo_vm_dummy_page).
      o.cpu[page] = w.devices[o.device]?.gone ? w.dummyFrame : (o.frames[page] ?? null);
      return PROGRESS;
    };
  }
  const mem = memoryWait(w, f);
  if (mem) return mem;
  return () => {
    if (write) {
      writeFrame(w, f, { v: value, o: o.uid, p: page, s: writeStamp(w) }, 'cpu write (BAR)');
      if (f !== w.dummyFrame) {
        clearLost(o, page);
        observe(w, { k: 'write', who: 'cpu', obj: o.name, page, value, f });
      }
      return done();
    }
    const data = readFrame(w, f, 'cpu read (BAR)');
    const got = isLost(o, page) && f !== w.dummyFrame ? 'lost' : (data?.v ?? 0);
    observe(w, {
      k: 'read',
      who: 'cpu',
      obj: o.name,
      uid: o.uid,
      page,
      value: got,
      data: f === w.dummyFrame ? null : data,
      f,
    });
    return done(got);
  };
}
