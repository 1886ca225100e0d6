/**
 * cpu.read / cpu.write: phases fault, access. Anonymous pages fault in (first touch, swap-in,
 * migrate_to_ram out of device-private memory); coherent pages are accessed in place; a bo is
 * accessed in place through the BAR once its move fence has signalled.
 */
import { asPlan, defineOp, done, failed, type Plan, PROGRESS } from '../exec/op.js';
import {
  abandonCpuFault,
  type CpuFaultState,
  cpuAccessible,
  cpuFaultPending,
  cpuFaultReclaiming,
  cpuTarget,
  newCpuFault,
  planCpuFault,
} from '../kernel/cpufault.js';
import { memoryGone, memoryWait } from '../kernel/engine.js';
import { clearLost, isLost } from '../kernel/loss.js';
import { objOf } from '../kernel/objects.js';
import { markDirty, pageLife } from '../kernel/pages.js';
import { readFrame, writeFrame, writeStamp } from '../world/frames.js';
import { observe } from '../world/log.js';
import type { AnonObj, World } from '../world/types.js';
import { int, isErrno, liveObj, pageIn } from './args.js';
import { boCpuPhase, planBoCpu } from './bo-cpu.js';

interface St {
  readonly obj: string;
  readonly uid: number;
  readonly page: number;
  readonly write: boolean;
  readonly value: number;
  fault: CpuFaultState;
}

function accessAnon(w: World, o: AnonObj, s: St): Plan {
  const target = cpuTarget(o.page[s.page], s.write);
  // Device-coherent memory of a device removed by surprise: the access gets SIGBUS.
  if (target !== null && memoryGone(w, target.f)) return () => failed('EIO');
  const mem = target === null ? null : memoryWait(w, target.f);
  if (mem) return mem;
  return () => {
    const pg = o.page[s.page];
    if (!pg) return failed('EINVAL');
    const t = cpuTarget(pg, s.write);
    if (!t) return PROGRESS;
    const f = t.f;
    if (t.walk) {
      // The MMU walks the PTE (a write sets its dirty bit) and fills the TLB.
      if (s.write) markDirty(pg);
      pg.tlb = { f, dirty: s.write || t.dirty };
    }
    if (s.write) {
      writeFrame(w, f, { v: s.value, o: o.uid, p: s.page, s: writeStamp(w) }, 'cpu write');
      clearLost(o, s.page);
      const gen = pageLife(pg);
      observe(w, { k: 'write', who: 'cpu', obj: o.name, page: s.page, value: s.value, f, gen });
      return done();
    }
    const data = readFrame(w, f, 'cpu read');
    const value = isLost(o, s.page) ? 'lost' : (data?.v ?? 0);
    const uid = o.uid;
    observe(w, {
      k: 'read',
      who: 'cpu',
      obj: o.name,
      uid,
      page: s.page,
      value,
      data,
      f,
      gen: pageLife(pg),
    });
    return done(value);
  };
}

function makeOp(name: 'cpu.read' | 'cpu.write') {
  const write = name === 'cpu.write';
  return defineOp<St>({
    name,
    phases: ['fault', 'access'],
    start(w, a) {
      const o = liveObj(w, a);
      if (isErrno(o)) return o;
      const page = int(a, 'page');
      if (!pageIn(o, page)) return 'EINVAL';
      let value = 0;
      if (write) {
        const v = int(a, 'value');
        if (v === null || v <= 0) return 'EINVAL';
        value = v;
      }
      return {
        pc: 'run',
        st: { obj: o.name, uid: o.uid, page, write, value, fault: newCpuFault() },
      };
    },
    phaseOf(w, p) {
      const o = objOf(w, p.st.obj, p.st.uid);
      if (o?.kind === 'bo') return boCpuPhase(w, o, p.st.page);
      if (o?.kind !== 'anon') return 'access';
      if (cpuFaultPending(p.st.fault)) return 'fault';
      return cpuAccessible(o, p.st.page, p.st.write) ? 'access' : 'fault';
    },
    plan(w, p) {
      const s = p.st;
      const reclaiming =
        s.fault.dr.r === null && s.fault.cow.dr.r === null
          ? null
          : cpuFaultReclaiming(w, p, s.fault);
      if (reclaiming) return asPlan(reclaiming);
      const o = objOf(w, s.obj, s.uid);
      if (!o || o.destroyed) {
        return () => {
          abandonCpuFault(w, p, s.fault, o?.kind === 'anon' ? o : undefined, s.page);
          return failed('ENOENT');
        };
      }
      if (o.kind === 'bo') return planBoCpu(w, o, s.page, s.write, s.value, p.pid);
      if (!cpuFaultPending(s.fault) && cpuAccessible(o, s.page, s.write))
        return accessAnon(w, o, s);
      const step = planCpuFault(w, p, o, s.page, s.fault, s.write);
      if (typeof step !== 'function') return step;
      return () => {
        const r = step();
        return r === 'progress' ? PROGRESS : failed(r);
      };
    },
  });
}

export const cpuRead = makeOp('cpu.read');
export const cpuWrite = makeOp('cpu.write');
