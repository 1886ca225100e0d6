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
import { GARBAGE_OWNER, readFrame, writeFrame, writeStamp } from '../world/frames.js';
import { emit, freshId, observe } from '../world/log.js';
import type { InflightDma, Proc, World } from '../world/types.js';
import { importerCfg, int, isErrno, pageIn, usedObj } from './args.js';
import { deviceErrno } from './device-state.js';
import { type DmabufIssueState, newDmabufIssue, planDmabufIssue } from './dmabuf-access.js';

type Kind = 'mirror' | 'pin' | 'dmabuf';

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
  dmabuf: DmabufIssueState;
  dma: InflightDma | null;
  /**
   * The page's data was lost (a reported VRAM loss) when the DMA read was issued: if the frame
   * still holds the garbage when the read completes, it read lost data, whatever happened to the
   * page meanwhile (a later write may have given the page new data in another frame).
   */
  issuedLost: boolean;
  /** The DMA queued on a hung device's engine. */
  engine: EngineSlot;
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
  s.issuedLost = !s.write && isLost(objOf(w, s.obj, s.uid), s.page);
  emit(w, {
    type: 'dma.issue',
    importer: s.importer,
    obj: keyOf(w, s.obj),
    page: s.page,
    write: s.write,
  });
  if (!s.write) observe(w, { k: 'read-issue', id: d.id, obj: s.obj, page: s.page });
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

function issuePin(w: World, p: Proc, s: St): Plan {
  const pin = w.importers[s.importer]?.objs[s.obj]?.pin;
  const k = pin ? pin.pages.indexOf(s.page) : -1;
  const f = pin?.frames[k];
  // Not pinned, or a device write through a read-only pin (the IOMMU refuses it).
  if (f === undefined || (s.write && !pin?.write)) return failNow('EFAULT');
  // A pin into a device being unplugged: release waits for it, reads get EIO meanwhile.
  const dev = w.frames[f]?.device;
  if (dev && w.devices[dev]?.gone) return failNow('EIO');
  return () => issueDma(w, p, s, f);
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
    const o = objOf(w, s.obj, s.uid);
    const uid = s.uid;
    const io = w.importers[s.importer]?.objs[s.obj];
    const e = s.kind === 'mirror' ? io?.pt[s.page] : undefined;
    // Through a device-atomic entry the device works in its own cache (written back on zap).
    const atomic = io && e?.atomic && e.f === d.f ? e : undefined;
    if (s.write) {
      const data = { v: s.value, o: uid, p: s.page, s: writeStamp(w) };
      if (io && atomic) io.pt[s.page] = { ...atomic, held: data };
      else writeFrame(w, d.f, data, `${s.importer} DMA write`);
      clearLost(o, s.page);
      observe(w, { k: 'write', who: s.importer, obj: s.obj, page: s.page, value: s.value, f: d.f });
      return done();
    }
    const data =
      atomic?.held !== undefined ? atomic.held : readFrame(w, d.f, `${s.importer} DMA read`);
    const readLost = isLost(o, s.page) || (s.issuedLost && data?.o === GARBAGE_OWNER);
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
      if (ic.kind === 'mirror' || ic.kind === 'userptr') {
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
      return planDmabufIssue(w, p as Proc, s.importer, s.obj, s.uid, s.page, s.dmabuf, (f) =>
        issueDma(w, p, s, f),
      );
    },
  });
}

export const impRead = makeOp('imp.read');
export const impWrite = makeOp('imp.write');
