/**
 * obj.create: a run of anonymous pages (populated on first touch; `shared: true` maps them
 * MAP_SHARED, shmem: kernel/shmem.ts), or a bo placed at once.
 */
import { defineOp, done, failed, type Outcome, type Plan, PROGRESS } from '../exec/op.js';
import { type BoMoveState, evictionVictim, newBoMove, planBoMove } from '../kernel/bo-move.js';
import { takeUid } from '../kernel/objects.js';
import {
  type DirectReclaim,
  newDirectReclaim,
  planDirectReclaim,
  reclaimUnderWay,
} from '../kernel/reclaim.js';
import { newShmem } from '../kernel/shmem.js';
import type { Domain } from '../world/config.js';
import { allocFrame, freeCount, releaseFrame, systemPool, vramPool } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { AnonObj, BoObj, Proc, World } from '../world/types.js';
import { type Args, int, isErrno, objName, optBool, processArg, str } from './args.js';
import { deviceErrno } from './device-state.js';

export const MAX_PAGES = 64;

interface St {
  readonly name: string;
  /** The address space an anon range goes into. */
  readonly process: string;
  readonly kind: 'anon' | 'bo';
  readonly pages: number;
  /** An anon range mapped MAP_SHARED. */
  readonly shared: boolean;
  readonly device: string | null;
  readonly domains: readonly Domain[];
  readonly placement: Domain;
  /** A bo in full VRAM first evicts other bos of the device (TTM), one move at a time. */
  evict: BoMoveState | null;
  /** bos an eviction failed to move (not tried again). */
  tried: string[];
  /** A bo in full RAM first reclaims. */
  dr: DirectReclaim;
}

function parseDomains(a: Args): Domain[] | null {
  const v = a.domains;
  if (v === undefined) return ['vram', 'system'];
  if (!Array.isArray(v) || v.length === 0 || v.length > 2) return null;
  const out: Domain[] = [];
  for (const d of v) {
    if ((d !== 'vram' && d !== 'system') || out.includes(d)) return null;
    out.push(d);
  }
  return out;
}

export const objCreate = defineOp<St>({
  name: 'obj.create',
  phases: ['create'],
  start(w, a) {
    const name = objName(w, a);
    if (isErrno(name)) return name;
    const process = processArg(w, a);
    if (isErrno(process)) return process;
    const kind = str(a, 'kind');
    const pages = int(a, 'pages');
    if (name === '' || pages === null) return 'EINVAL';
    if (kind !== 'anon' && kind !== 'bo') return 'EINVAL';
    if (pages < 1 || pages > MAX_PAGES) return 'EINVAL';
    if (w.objects[name]) return 'EEXIST';
    const shared = optBool(a, 'shared', false);
    // A bo is shared by exporting it (obj.share), not by how it is created.
    if (shared === null || (shared && kind !== 'anon')) return 'EINVAL';
    if (kind === 'anon') {
      return {
        pc: 'create',
        st: {
          name,
          process,
          kind,
          pages,
          shared,
          device: null,
          domains: [],
          placement: 'system',
          evict: null,
          tried: [],
          dr: newDirectReclaim(),
        },
      };
    }
    const device = str(a, 'device');
    if (device === null) return 'EINVAL';
    if (!w.devices[device]) return 'ENODEV';
    const domains = parseDomains(a);
    if (domains === null) return 'EINVAL';
    const pl = a.placement === undefined ? domains[0] : a.placement;
    if (pl !== 'vram' && pl !== 'system') return 'EINVAL';
    if (!domains.includes(pl)) return 'EINVAL';
    const err = deviceErrno(w, device);
    if (err) return err;
    if (pl === 'vram' && w.devices[device]?.frozen) return 'EBUSY';
    return {
      pc: 'create',
      st: {
        name,
        process,
        kind,
        pages,
        shared: false,
        device,
        domains,
        placement: pl,
        evict: null,
        tried: [],
        dr: newDirectReclaim(),
      },
    };
  },
  phaseOf: () => 'create',
  plan(w, p) {
    const s = p.st;
    if (s.kind === 'bo') {
      const room = planRoom(w, p, s);
      if (room) return room;
    }
    return () => create(w, s);
  },
});

/** Make room for a bo: evict other bos from full VRAM, reclaim full RAM. Null: go ahead. */
function planRoom(w: World, p: Proc, s: St): Plan | null {
  const reclaiming = reclaimUnderWay(w, p, s.dr);
  if (typeof reclaiming === 'function') {
    return () => {
      reclaiming();
      return PROGRESS;
    };
  }
  if (reclaiming) return reclaiming;
  const device = s.device ?? '';
  if (s.evict) {
    const mv = s.evict;
    const step = planBoMove(w, p, mv);
    if (typeof step !== 'function') return step;
    return () => {
      const r = step();
      if (r === null) return PROGRESS;
      if (typeof r === 'string' || r.moved === 0) s.tried.push(mv.obj);
      s.evict = null;
      return PROGRESS;
    };
  }
  if (s.placement === 'system') {
    const reclaim = planDirectReclaim(w, p, s.pages, s.dr);
    if (typeof reclaim !== 'function') return reclaim;
    return () => (reclaim() === 'ENOMEM' ? failed('ENOMEM') : PROGRESS);
  }
  if (freeCount(w, vramPool(device)) >= s.pages) return null;
  const v = evictionVictim(w, device, s.name, p.pid, s.tried);
  if (!v) return null;
  return () => {
    s.evict = newBoMove(v, 'system', false, true);
    return PROGRESS;
  };
}

function create(w: World, s: St): Outcome {
  if (w.objects[s.name]) return failed('EEXIST');
  if (s.kind === 'bo' && s.placement === 'vram' && w.devices[s.device ?? '']?.frozen)
    return failed('EBUSY');
  const uid = takeUid(w);
  const key = `${s.name}#${uid}`;
  if (s.kind === 'anon') {
    const o: AnonObj = {
      kind: 'anon',
      name: s.name,
      process: s.process,
      ...(s.shared ? { shared: true as const } : {}),
      key,
      uid,
      pages: s.pages,
      destroyed: false,
      page: Array.from({ length: s.pages }, () => ({
        pte: { t: 'none' },
        tlb: null,
        swap: null,
        lockedBy: null,
        lost: false,
        prot: 'rw',
        drops: 0,
        cows: 0,
      })),
      mmap: { readers: [], writer: null },
    };
    w.objects[s.name] = o;
    if (s.shared) newShmem(w, o);
    emit(w, { type: 'obj.create', obj: key, kind: 'anon', pages: s.pages });
    return done();
  }
  const device = s.device ?? '';
  const pool = s.placement === 'vram' ? vramPool(device) : systemPool();
  const frames: number[] = [];
  for (let page = 0; page < s.pages; page++) {
    const f = allocFrame(w, pool, { obj: s.name, page });
    if (f === null) {
      for (const g of frames) releaseFrame(w, g);
      w.nextUid -= 1;
      return failed('ENOMEM');
    }
    frames.push(f);
  }
  w.clock += 1;
  const bo: BoObj = {
    kind: 'bo',
    name: s.name,
    key,
    uid,
    pages: s.pages,
    destroyed: false,
    device,
    domains: s.domains,
    placement: s.placement,
    frames,
    shared: false,
    fence: null,
    placedAt: w.clock,
    cpu: new Array(s.pages).fill(null),
    resv: null,
    lost: new Array(s.pages).fill(false),
    movingBy: null,
  };
  w.objects[s.name] = bo;
  emit(w, {
    type: 'obj.create',
    obj: key,
    kind: 'bo',
    pages: s.pages,
    placement: s.placement,
    device,
  });
  return done();
}
