/**
 * imp.read / imp.write: one DMA, phases issue and complete. A mirror (or userptr GPU) uses a
 * valid device PTE or faults the page in first with the hmm.rst pattern; gup and dio go through
 * their pin; a dma-buf importer goes through its mapping. In-flight DMA is what invalidate()
 * and the exporter wait for before they let a page move.
 */
import { defineOp, done, failed, failNow, type Outcome, type Plan, PROGRESS } from '../exec/op.js';
import { type EngineSlot, engineStep, memoryGone, memoryWait } from '../kernel/engine.js';
import { type MirrorMapState, newMirrorMap, planMirrorMap } from '../kernel/hmm.js';
import { clearLost, isLost } from '../kernel/loss.js';
import { importerConfig, keyOf, objOf } from '../kernel/objects.js';
import { pageLife, pinLife } from '../kernel/pages.js';
import { newVmaFault, planVmaFault, type VmaFaultState } from '../kernel/vma-fault.js';
import { GARBAGE_OWNER, readFrame, writeFrame, writeStamp } from '../world/frames.js';
import { emit, freshId, observe } from '../world/log.js';
import type { InflightDma, Proc, World } from '../world/types.js';
import { importerCfg, int, isErrno, pageIn, usedObj } from './args.js';
import { deviceErrno } from './device-state.js';
import { type DmabufIssueState, newDmabufIssue, planDmabufIssue } from './dmabuf-access.js';

type Kind = 'mirror' | 'pin' | 'dmabuf' | 'vma';

interface St {
  readonly kind: Kind;
  readonly importer: string;
  readonly obj: string;
  readonly uid: number;
  readonly page: number;
  readonly write: boolean;
  readonly value: number;
  stage: 'issue' | 'complete';
  map: MirrorMapState | null;
  /** A mirror's fault of a bo's device VMA under way. */
  vmaFault?: VmaFaultState | null;
  dmabuf: DmabufIssueState;
  dma: InflightDma | null;
  /**
   * The page's data was lost (a reported VRAM loss) when the DMA read was issued: if the frame
   * still holds the garbage when the read completes, it read lost data, whatever happened to the
   * page meanwhile (a later write may have given the page new data in another frame).
   */
  issuedLost: boolean;
  /** Which life of the page the DMA reaches (a pin's, or the page's now): see pageLife. */
  gen: number;
  /** The DMA queued on a hung device's engine. */
  engine: EngineSlot;
}

/**
 * The DMA reaches an earlier life of the page (a pin taken before the process dropped or copied
 * it): its loss, if reported, is recorded on the pin, not on the page the process sees now.
 */
function staleLife(w: World, s: St): boolean {
  const o = objOf(w, s.obj, s.uid);
  const pg = o?.kind === 'anon' ? o.page[s.page] : undefined;
  return s.kind === 'pin' && pg !== undefined && s.gen !== pageLife(pg);
}

function lostHere(w: World, s: St): boolean {
  if (!staleLife(w, s)) return isLost(objOf(w, s.obj, s.uid), s.page);
  return w.importers[s.importer]?.objs[s.obj]?.pin?.lost?.includes(s.page) === true;
}

/**
 * A write gave the page (or the pinned earlier life of it) data again. An earlier life lives on
 * in its frame only, which every pin of that life shares: a write through one of them gives the
 * frame data for all (a read-only pin beside the writer's no longer reads "lost").
 */
function forgetLoss(w: World, s: St, f: number): void {
  if (!staleLife(w, s)) {
    clearLost(objOf(w, s.obj, s.uid), s.page);
    return;
  }
  for (const id in w.importers) {
    const imp = w.importers[id];
    if (!imp) continue;
    for (const name in imp.objs) {
      const io = imp.objs[name];
      const pin = io?.pin;
      if (!io || !pin?.lost) continue;
      const k = pin.frames.indexOf(f);
      const page = pin.pages[k];
      if (page === undefined || !pin.lost.includes(page)) continue;
      io.pin = { ...pin, lost: pin.lost.filter((p) => p !== page) };
    }
  }
}

/** Register the DMA on a frame: it is now in flight. */
export function issueDma(w: World, p: Proc, s: St, f: number): Outcome {
  // The memory went with a device removed by surprise: the transfer fails.
  if (memoryGone(w, f)) return failed('EIO');
  const d: InflightDma = {
    id: freshId(w),
    by: p.pid,
    importer: s.importer,
    obj: s.obj,
    page: s.page,
    f,
    write: s.write,
    failed: false,
  };
  w.dma.push(d);
  s.dma = d;
  s.stage = 'complete';
  const o = objOf(w, s.obj, s.uid);
  s.issuedLost = !s.write && lostHere(w, s);
  const pg = o?.kind === 'anon' ? o.page[s.page] : undefined;
  if (s.kind === 'mirror' && pg) s.gen = pageLife(pg);
  emit(w, {
    type: 'dma.issue',
    importer: s.importer,
    obj: keyOf(w, s.obj),
    page: s.page,
    write: s.write,
  });
  if (!s.write) observe(w, { k: 'read-issue', id: d.id, obj: s.obj, page: s.page, gen: s.gen });
  return PROGRESS;
}

/** One step of a mirror fault: the one under way, or a fresh one that is under way once it steps. */
function planMap(w: World, p: Proc, s: St, map: MirrorMapState): Plan {
  const step = planMirrorMap(w, p, map);
  if (typeof step !== 'function') return step;
  return () => {
    s.map = map;
    const r = step();
    if (r === 'progress') return PROGRESS;
    s.map = null;
    return r === 'mapped' ? PROGRESS : failed(r);
  };
}

function issueMirror(w: World, p: Proc, s: St): Plan {
  const o = objOf(w, s.obj, s.uid);
  if (s.map) return planMap(w, p, s, s.map);
  if (!o || o.destroyed) return failNow('EFAULT');
  const e = w.importers[s.importer]?.objs[s.obj]?.pt[s.page];
  // A write needs a writable entry; otherwise the mirror faults (with write, for a write).
  if (e && (!s.write || e.write)) return () => issueDma(w, p, s, e.f);
  return planMap(w, p, s, newMirrorMap(s.importer, s.obj, s.uid, [s.page], s.write));
}

/** One step of a mirror's fault of the bo's device VMA (vma-fault.ts). */
function planVmaMap(w: World, p: Proc, s: St, m: VmaFaultState): Plan {
  const step = planVmaFault(w, p, m);
  if (typeof step !== 'function') return step;
  return () => {
    s.vmaFault = m;
    const r = step();
    if (r === 'progress') return PROGRESS;
    s.vmaFault = null;
    return r === 'mapped' ? PROGRESS : failed(r);
  };
}

/** A mirror's DMA to a bo through its device VMA: a valid entry, else a fault (p2p_map) first. */
function issueVma(w: World, p: Proc, s: St): Plan {
  if (s.vmaFault) return planVmaMap(w, p, s, s.vmaFault);
  const bo = objOf(w, s.obj, s.uid);
  if (bo?.kind !== 'bo' || !bo.vma) return failNow('EFAULT');
  if (s.page < bo.vma.offset || s.page >= bo.vma.offset + bo.vma.pages) return failNow('EFAULT');
  if (w.devices[bo.device]?.gone) return failNow('ENODEV');
  const e = w.importers[s.importer]?.objs[s.obj]?.pt[s.page];
  if (!e) return planVmaMap(w, p, s, newVmaFault(s.importer, bo));
  // A map of the new placement is used once the move's copy is done (the move fence).
  if (bo.fence && !bo.fence.signalled) return { on: 'fence', obj: bo.name, holder: bo.fence.by };
  return () => issueDma(w, p, s, e.f);
}

function issuePin(w: World, p: Proc, s: St): Plan {
  const io = w.importers[s.importer]?.objs[s.obj];
  // A pin-flag map the exporter killed (unplug): EIO, or the dummy page, per its policy.
  if (io?.vma?.revoked === 'eio') return failNow('EIO');
  if (io?.vma?.revoked === 'dummy') return () => issueDma(w, p, s, w.dummyFrame);
  const pin = io?.pin;
  const k = pin ? pin.pages.indexOf(s.page) : -1;
  const f = pin?.frames[k];
  // Not pinned, or a device write through a read-only pin (the IOMMU refuses it).
  if (f === undefined || (s.write && !pin?.write)) return failNow('EFAULT');
  const gen = pin ? pinLife(pin, k) : 0;
  // A pin into a device being unplugged: release waits for it, reads get EIO meanwhile.
  const dev = w.frames[f]?.device;
  if (dev && w.devices[dev]?.gone) return failNow('EIO');
  return () => {
    s.gen = gen;
    return issueDma(w, p, s, f);
  };
}

function dmaDevice(w: World, s: St): string[] {
  const ic = importerConfig(w, s.importer);
  return ic?.device ? [ic.device] : [];
}

/** The DMA is over (done, or failed by a reset): it is no longer in flight. */
function endDma(w: World, s: St, d: InflightDma): void {
  w.dma = w.dma.filter((x) => x.id !== d.id);
  s.dma = null;
  emit(w, { type: 'dma.complete', importer: s.importer, obj: keyOf(w, s.obj), page: s.page });
}

function complete(w: World, s: St): Plan {
  const d = s.dma;
  if (!d) return failNow('EIO');
  // The mirror's device was reset: its DMA completes with an error.
  const engine = engineStep<Outcome>(w, dmaDevice(w, s), s.engine, PROGRESS, () => {
    endDma(w, s, d);
    return failed('EIO');
  });
  if (engine) return engine;
  const mem = memoryWait(w, d.f);
  if (mem) return mem;
  if (d.failed) {
    return () => {
      endDma(w, s, d);
      return failed('EIO');
    };
  }
  return () => {
    endDma(w, s, d);
    const uid = s.uid;
    // The dummy page a revoked pin-flag map was sent to: reads 0, writes are discarded.
    if (d.f === w.dummyFrame) return done(s.write ? undefined : 0);
    const io = w.importers[s.importer]?.objs[s.obj];
    const e = s.kind === 'mirror' ? io?.pt[s.page] : undefined;
    // Through a device-atomic entry the device works in its own cache (written back on zap).
    const atomic = io && e?.atomic && e.f === d.f ? e : undefined;
    if (s.write) {
      const data = { v: s.value, o: uid, p: s.page, s: writeStamp(w) };
      if (io && atomic) io.pt[s.page] = { ...atomic, held: data };
      else writeFrame(w, d.f, data, `${s.importer} DMA write`);
      forgetLoss(w, s, d.f);
      observe(w, {
        k: 'write',
        who: s.importer,
        obj: s.obj,
        page: s.page,
        value: s.value,
        f: d.f,
        gen: s.gen,
      });
      return done();
    }
    const data =
      atomic?.held !== undefined ? atomic.held : readFrame(w, d.f, `${s.importer} DMA read`);
    const readLost = lostHere(w, s) || (s.issuedLost && data?.o === GARBAGE_OWNER);
    const value = readLost ? 'lost' : (data?.v ?? 0);
    observe(w, {
      k: 'read',
      who: s.importer,
      obj: s.obj,
      uid,
      page: s.page,
      value,
      data,
      f: d.f,
      dma: d.id,
      gen: s.gen,
    });
    return done(value);
  };
}

function makeOp(name: 'imp.read' | 'imp.write') {
  const write = name === 'imp.write';
  return defineOp<St>({
    name,
    phases: ['issue', 'complete'],
    start(w, a) {
      const ic = importerCfg(w, a);
      if (isErrno(ic)) return ic;
      const o = usedObj(w, a, ic.id);
      if (isErrno(o)) return o;
      const page = int(a, 'page');
      if (!pageIn(o, page)) return 'EINVAL';
      let value = 0;
      if (write) {
        const v = int(a, 'value');
        if (v === null || v <= 0) return 'EINVAL';
        value = v;
      }
      const io = w.importers[ic.id]?.objs[o.name];
      let kind: Kind;
      if (o.kind === 'bo' && ic.kind === 'mirror') {
        if (!io?.sub) return 'EINVAL';
        const err = deviceErrno(w, ic.device);
        if (err) return err;
        kind = 'vma';
      } else if (o.kind === 'bo' && (ic.kind === 'gup' || ic.kind === 'vfio')) {
        // A bo never mmapped is not reachable at all (EINVAL, as before the VMA path).
        if (!io?.vma?.pinned) return ic.kind === 'gup' && o.vma ? 'EFAULT' : 'EINVAL';
        kind = 'pin';
      } else if (ic.kind === 'mirror' || ic.kind === 'userptr') {
        if (o.kind !== 'anon' || !io?.sub) return 'EINVAL';
        const err = deviceErrno(w, ic.device);
        if (err) return err;
        kind = 'mirror';
      } else if (ic.kind === 'gup' || ic.kind === 'dio') {
        if (o.kind !== 'anon') return 'EINVAL';
        if (!io?.pin) return 'EFAULT';
        kind = 'pin';
      } else {
        if (o.kind !== 'bo' || !io?.att || io.att.revoked) return 'EINVAL';
        if (!io.mapped) return 'EFAULT';
        kind = 'dmabuf';
      }
      return {
        pc: 'run',
        st: {
          kind,
          importer: ic.id,
          obj: o.name,
          uid: o.uid,
          page,
          write,
          value,
          stage: 'issue',
          map: null,
          dmabuf: newDmabufIssue(),
          dma: null,
          issuedLost: false,
          gen: 0,
          engine: { job: null },
        },
      };
    },
    phaseOf: (_w, p) => p.st.stage,
    plan(w, p) {
      const s = p.st;
      if (s.stage === 'complete') return complete(w, s);
      if (s.kind === 'mirror') return issueMirror(w, p, s);
      if (s.kind === 'pin') return issuePin(w, p, s);
      if (s.kind === 'vma') return issueVma(w, p, s);
      return planDmabufIssue(w, p as Proc, s.importer, s.obj, s.uid, s.page, s.dmabuf, (f) =>
        issueDma(w, p, s, f),
      );
    },
  });
}

export const impRead = makeOp('imp.read');
export const impWrite = makeOp('imp.write');
