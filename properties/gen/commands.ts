/**
 * The commands enabled in a given state: start an operation (arguments drawn from live ids),
 * or step one pending process that is not blocked. A choice integer picks one; shrinking the
 * integer towards 0 picks earlier, simpler commands.
 */
import { opDef } from '../../src/exec/registry.js';
import type { World } from '../../src/world/types.js';
import type { TraceStep } from '../trace/types.js';
import { Choice } from './choose.js';
import type { Family, Profile } from './families.js';

export const OBJ_NAMES = ['a', 'b', 'c'] as const;

/** The children a generated run may fork (besides the first process). */
export const CHILD_NAMES = ['c1', 'c2'] as const;

export interface GenCtx {
  readonly w: World;
  readonly profile: Profile;
  /** Pending processes whose next step can run. */
  runnable: readonly string[];
  /** Pending processes in all. */
  pending: number;
  deviceEvents: number;
  /** Whether this run creates bos (some bo operation is on). */
  readonly bo: boolean;
  /** The run's candidate pools without and with device events (filled on first use). */
  pools?: [Pool | null, Pool | null];
  /** objsOf's answers during one decode (the world does not change while a step is decoded). */
  objCache?: Map<string, string[]>;
  /** Scratch: the makers a decode has dropped (reused from one decode to the next). */
  dropped?: Uint8Array;
  /** Importers of the run by kinds (filled on first use; keyed by the makers' kind lists). */
  importerCache?: Map<readonly string[], string[]>;
  /** Next write value (unique within a run) and label number. */
  value: number;
  label: number;
}

function importersOf(ctx: GenCtx, kinds: readonly string[]): string[] {
  const cached = ctx.importerCache?.get(kinds);
  if (cached) return cached;
  const list = ctx.w.config.importers
    .filter((i) => kinds.includes(i.kind) && ctx.profile.importers.includes(i.id))
    .map((i) => i.id);
  ctx.importerCache ??= new Map();
  ctx.importerCache.set(kinds, list);
  return list;
}

/** The children's objects' world names (`child/name`), per child. */
const CHILD_OBJ_NAMES: readonly (readonly string[])[] = CHILD_NAMES.map((c) =>
  OBJ_NAMES.map((n) => `${c}/${n}`),
);

function pushObjs(
  ctx: GenCtx,
  names: readonly string[],
  kind: 'anon' | 'bo' | 'any',
  live: boolean,
  out: string[],
): void {
  for (const name of names) {
    const o = ctx.w.objects[name];
    if (o && (kind === 'any' || o.kind === kind) && (!live || !o.destroyed)) out.push(name);
  }
}

/**
 * The run's objects of a kind (live: not destroyed), by world name: OBJ_NAMES in the first
 * process, then `child/name` in each forked child that runs.
 */
function objsOf(ctx: GenCtx, kind: 'anon' | 'bo' | 'any', live = true): string[] {
  const key = live ? kind : `${kind}+`;
  const cached = ctx.objCache?.get(key);
  if (cached) return cached;
  const out: string[] = [];
  pushObjs(ctx, OBJ_NAMES, kind, live, out);
  for (let i = 0; i < CHILD_NAMES.length; i++) {
    const names = CHILD_OBJ_NAMES[i];
    if (names && ctx.w.processes[CHILD_NAMES[i] ?? '']?.ready)
      pushObjs(ctx, names, kind, live, out);
  }
  ctx.objCache ??= new Map();
  ctx.objCache.set(key, out);
  return out;
}

/** How a trace names an object by its world name: `obj`, and `process` outside the first. */
function ref(name: string): { obj: string; process?: string } {
  return REFS.get(name) ?? { obj: name };
}

const REFS: ReadonlyMap<string, { obj: string; process?: string }> = new Map([
  ...OBJ_NAMES.map((n) => [n, { obj: n }] as const),
  ...CHILD_NAMES.flatMap((c) =>
    OBJ_NAMES.map((n) => [`${c}/${n}`, { obj: n, process: c }] as const),
  ),
]);

function pagesOf(ctx: GenCtx, obj: string): number {
  return ctx.w.objects[obj]?.pages ?? 1;
}

type Maker = (c: Choice, ctx: GenCtx) => TraceStep | null;

function op(op: string, args: Record<string, unknown>): TraceStep {
  return { op, args };
}

/**
 * An importer op: every (importer, object) pair is a candidate, tried in an order the choice
 * rotates; the first the op would accept wins (so the op is enabled if any pair enables it).
 */
function impOp(
  name: string,
  kinds: readonly string[],
  objKind: 'anon' | 'bo',
  live: boolean,
  extra?: (c: Choice, ctx: GenCtx, obj: string) => Record<string, unknown>,
): Maker {
  // A read or write is probed at page 0 (every object has one) with a valid value; the page and
  // value are drawn once the pair is chosen.
  const probe = extra === page ? { page: 0 } : extra ? { page: 0, value: 1 } : {};
  // Candidates are probed through two scratch argument objects (with and without a process):
  // start reads them and nothing keeps them, so probing allocates nothing.
  const scratch: Record<string, unknown> = { importer: '', obj: '', ...probe };
  const scratchAt: Record<string, unknown> = { importer: '', obj: '', process: '', ...probe };
  return (c, ctx) => {
    const importers = importersOf(ctx, kinds);
    const objs = objsOf(ctx, objKind, live);
    const n = importers.length * objs.length;
    const candidate = (k: number) => ({
      importer: importers[k % importers.length],
      ...ref(objs[Math.floor(k / importers.length)] ?? ''),
    });
    const accepts = (k: number) => {
      const r = ref(objs[Math.floor(k / importers.length)] ?? '');
      const args = r.process === undefined ? scratch : scratchAt;
      args.importer = importers[k % importers.length];
      args.obj = r.obj;
      if (r.process !== undefined) args.process = r.process;
      return enabledArgs(ctx, name, args);
    };
    const k = firstEnabled(n, c, accepts);
    if (k === null) return null;
    const chosen = candidate(k);
    if (!extra) return op(name, { ...chosen, ...probe });
    const { importer, obj, process } = chosen;
    const at = process === undefined ? { obj } : { obj, process };
    const world = process === undefined ? String(obj) : `${String(process)}/${String(obj)}`;
    return op(name, { importer, ...at, ...extra(c, ctx, world) });
  };
}

/**
 * The first of n candidates (from a rotation the choice picks; at most PROBES of them) that the
 * op would accept, else the one the choice picked; null when there is none.
 */
function firstEnabled(n: number, c: Choice, accepts: (k: number) => boolean): number | null {
  if (n === 0) return null;
  const at = c.below(n);
  // At most PROBES candidates are tried: with forked processes the pairs multiply, and a
  // maker that finds nothing is simply dropped for this step.
  const tries = Math.min(n, PROBES);
  for (let k = 0; k < tries; k++) {
    const cand = (at + k) % n;
    if (accepts(cand)) return cand;
  }
  return at;
}

/** How many candidates firstEnabled tries at most. */
const PROBES = 6;

/** A device event on one of the run's devices. */
function devOp(
  c: Choice,
  ctx: GenCtx,
  name: string,
  extra: Record<string, unknown>,
): TraceStep | null {
  const devices = ctx.profile.devices;
  const k = firstEnabled(devices.length, c, (i) =>
    enabledArgs(ctx, name, { device: devices[i], ...extra }),
  );
  return k === null ? null : op(name, { device: devices[k], ...extra });
}

const SELECTIONS = [
  ['system'],
  ['device_private'],
  ['device_coherent'],
  ['device_private', 'device_coherent'],
  ['system', 'device_private', 'device_coherent'],
] as const;

/** migrate_vma's select flags and pgmap owner, as a trace names them. */
function selection(c: Choice, ctx: GenCtx): Record<string, unknown> {
  const select = c.pick(SELECTIONS) ?? SELECTIONS[0];
  const owner = c.pick(ctx.profile.devices);
  return owner === undefined ? { select: [...select] } : { select: [...select], owner };
}

const page = (c: Choice, ctx: GenCtx, obj: string) => ({ page: c.below(pagesOf(ctx, obj)) });
const pageValue = (c: Choice, ctx: GenCtx, obj: string) => ({
  page: c.below(pagesOf(ctx, obj)),
  value: ++ctx.value,
});

const MAKERS: Readonly<Record<Family, readonly Maker[]>> = {
  lifecycle: [
    (c, ctx) => {
      const free = OBJ_NAMES.filter((n) => !ctx.w.objects[n]);
      const name = free[0];
      // Few objects: a sequence of operations on one object is what finds most bugs.
      if (name === undefined || (free.length < OBJ_NAMES.length && !c.oneIn(4))) return null;
      const bo = ctx.bo && ctx.profile.devices.length > 0 && c.oneIn(2);
      const pages = c.pick([1, 1, 1, 2, 2, 3]) ?? 1;
      if (!bo) return op('obj.create', { obj: name, kind: 'anon', pages });
      const device = c.pick(ctx.profile.devices) ?? '';
      const domains = c.pick([
        ['vram', 'system'],
        ['system', 'vram'],
        ['vram'],
        ['system'],
      ] as const) ?? ['vram', 'system'];
      return op('obj.create', { obj: name, kind: 'bo', pages, device, domains: [...domains] });
    },
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      return obj === undefined ? null : op('obj.destroy', ref(obj));
    },
  ],
  cpu: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      return obj === undefined
        ? null
        : op('cpu.read', { ...ref(obj), page: c.below(pagesOf(ctx, obj)) });
    },
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      return obj === undefined
        ? null
        : op('cpu.write', { ...ref(obj), page: c.below(pagesOf(ctx, obj)), value: ++ctx.value });
    },
  ],
  migrate: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      if (obj === undefined) return null;
      const o = ctx.w.objects[obj];
      const at = ref(obj);
      if (o?.kind === 'bo') return op('obj.migrate', { ...at, to: c.oneIn(2) ? 'vram' : 'system' });
      // One migration in four names its selection and pgmap owner instead of the drivers' defaults.
      const sel = c.oneIn(4) ? selection(c, ctx) : {};
      if (c.oneIn(3)) return op('obj.migrate', { ...at, to: 'system', ...sel });
      const device = c.pick(ctx.profile.devices);
      return device === undefined ? null : op('obj.migrate', { ...at, to: 'vram', device, ...sel });
    },
  ],
  reclaim: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'anon'));
      if (obj === undefined) return null;
      const p = c.below(pagesOf(ctx, obj));
      const at = { ...ref(obj), page: p };
      return op('mm.reclaim', c.oneIn(3) ? { ...at, blockable: false } : at);
    },
  ],
  mirror: [
    impOp('imp.attach', ['mirror'], 'anon', true),
    // One map in four is read-only (no HMM_PFN_REQ_WRITE).
    impOp('imp.map', ['mirror'], 'anon', true, (c) => (c.oneIn(4) ? { write: false } : {})),
    impOp('imp.unmap', ['mirror'], 'anon', false),
    impOp('imp.detach', ['mirror'], 'anon', false),
    impOp('imp.read', ['mirror'], 'anon', false, page),
    impOp('imp.write', ['mirror'], 'anon', false, pageValue),
  ],
  pin: [
    // One pin in three is read-only (vmsplice, an O_DIRECT write): no FOLL_WRITE.
    impOp('imp.pin', ['gup', 'dio'], 'anon', true, (c) => (c.oneIn(3) ? { write: false } : {})),
    impOp('imp.unpin', ['gup', 'dio'], 'anon', false),
    impOp('imp.read', ['gup', 'dio'], 'anon', false, page),
    impOp('imp.write', ['gup', 'dio'], 'anon', false, pageValue),
  ],
  dmabuf: [
    impOp('imp.attach', ['dmabuf'], 'bo', true),
    impOp('imp.map', ['dmabuf'], 'bo', true),
    impOp('imp.unmap', ['dmabuf'], 'bo', false),
    impOp('imp.detach', ['dmabuf'], 'bo', false),
    impOp('imp.pin', ['dmabuf'], 'bo', true),
    impOp('imp.unpin', ['dmabuf'], 'bo', false),
    impOp('imp.read', ['dmabuf'], 'bo', false, page),
    impOp('imp.write', ['dmabuf'], 'bo', false, pageValue),
  ],
  share: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'bo'));
      return obj === undefined ? null : op(c.oneIn(2) ? 'obj.share' : 'obj.unshare', { obj });
    },
  ],
  device: [
    (c, ctx) => devOp(c, ctx, 'dev.hang', {}),
    (c, ctx) => devOp(c, ctx, 'dev.reset', c.oneIn(3) ? { vramLost: false } : {}),
    (c, ctx) => devOp(c, ctx, 'dev.suspend', {}),
    (c, ctx) => devOp(c, ctx, 'dev.resume', {}),
    (c, ctx) => devOp(c, ctx, 'dev.unplug', c.oneIn(2) ? { surprise: true } : {}),
  ],
  userptr: [
    impOp('imp.attach', ['userptr'], 'anon', true),
    impOp('imp.submit', ['userptr'], 'anon', true),
    impOp('imp.complete', ['userptr'], 'anon', false),
    impOp('imp.detach', ['userptr'], 'anon', false),
    impOp('imp.read', ['userptr'], 'anon', false, page),
    impOp('imp.write', ['userptr'], 'anon', false, pageValue),
  ],
  // Peer-to-peer through a bo's device VMA (p2p.md): mmap, mirrors, gup and vfio on it.
  vma: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'bo'));
      if (obj === undefined) return null;
      const n = pagesOf(ctx, obj);
      if (n < 2 || !c.oneIn(3)) return op('obj.mmap', { obj });
      const offset = c.below(n);
      return op('obj.mmap', { obj, offset, pages: 1 + c.below(n - offset) });
    },
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'bo'));
      return obj === undefined ? null : op('obj.munmap', { obj });
    },
    impOp('imp.attach', ['mirror'], 'bo', true),
    impOp('imp.map', ['mirror', 'vfio'], 'bo', true),
    impOp('imp.unmap', ['mirror', 'vfio'], 'bo', false),
    impOp('imp.detach', ['mirror'], 'bo', false),
    impOp('imp.pin', ['gup'], 'bo', true),
    impOp('imp.unpin', ['gup'], 'bo', false),
    impOp('imp.read', ['mirror', 'gup', 'vfio'], 'bo', false, page),
    impOp('imp.write', ['mirror', 'gup', 'vfio'], 'bo', false, pageValue),
  ],
  vm: [
    (c, ctx) => {
      const child = CHILD_NAMES.find((n) => !ctx.w.processes[n]);
      // fork is rare: one run's address spaces are what the other operations then work on.
      if (child === undefined || !c.oneIn(3)) return null;
      const parents = ['p0', ...CHILD_NAMES.filter((n) => ctx.w.processes[n]?.ready)];
      const parent = c.pick(parents) ?? 'p0';
      return op('proc.fork', parent === 'p0' ? { child } : { process: parent, child });
    },
    (c, ctx) => {
      // A shared anonymous range (MAP_SHARED, shmem): what fork then shares instead of copying.
      const name = OBJ_NAMES.find((n) => !ctx.w.objects[n]);
      if (name === undefined || !c.oneIn(8)) return null;
      return op('obj.create', {
        obj: name,
        kind: 'anon',
        pages: c.pick([1, 1, 2]) ?? 1,
        shared: true,
      });
    },
    (c, ctx) => vmaOp(c, ctx, 'vma.unmap', {}),
    (c, ctx) => vmaOp(c, ctx, 'vma.protect', { prot: c.oneIn(2) ? 'r' : 'rw' }),
    (c, ctx) => vmaOp(c, ctx, 'vma.advise', { advice: 'dontneed' }),
    impOp('imp.exclusive', ['mirror'], 'anon', true, page),
  ],
};

/** munmap / mprotect / madvise of one page or of the whole range. */
function vmaOp(
  c: Choice,
  ctx: GenCtx,
  name: string,
  extra: Record<string, unknown>,
): TraceStep | null {
  const obj = c.pick(objsOf(ctx, 'anon'));
  if (obj === undefined) return null;
  const n = pagesOf(ctx, obj);
  const pages = c.oneIn(2) ? {} : { pages: [c.below(n)] };
  return op(name, { ...ref(obj), ...pages, ...extra });
}

export type { Maker };

/** Every operation the generator can start, in a fixed order (swarm weights index it). */
export const MAKER_LIST: readonly { readonly family: Family; readonly make: Maker }[] = (
  Object.entries(MAKERS) as [Family, readonly Maker[]][]
).flatMap(([family, ms]) => ms.map((make) => ({ family, make })));

/** How much rarer a device event is than any other operation of the same swarm weight. */
const DEVICE_RARITY = 6;

/** One generated operation in this many is kept although it will fail (misuse is tested too). */
const MISUSE_ONE_IN = 10;

/** Whether the operation would pass validation now (its process would start). */
function enabled(ctx: GenCtx, step: TraceStep): boolean {
  return enabledArgs(ctx, step.op, step.args);
}

function enabledArgs(ctx: GenCtx, name: string, args: Readonly<Record<string, unknown>>): boolean {
  const def = opDef(name);
  return def !== undefined && typeof def.start(ctx.w, args, 0) !== 'string';
}

/** A run's candidate makers (MAKER_LIST indices) and their weights. */
interface Pool {
  readonly ids: readonly number[];
  readonly wts: readonly number[];
  readonly total: number;
}

/** The run's candidate makers and weights (device events rarer), with or without device events. */
function pool(ctx: GenCtx, devices: boolean): Pool {
  ctx.pools ??= [null, null];
  const slot = devices ? 1 : 0;
  const cached = ctx.pools[slot];
  if (cached) return cached;
  const ids: number[] = [];
  const wts: number[] = [];
  let total = 0;
  MAKER_LIST.forEach((m, i) => {
    if (!devices && m.family === 'device') return;
    const wt = (ctx.profile.weights[i] ?? 0) * (m.family === 'device' ? 1 : DEVICE_RARITY);
    if (wt <= 0) return;
    ids.push(i);
    wts.push(wt);
    total += wt;
  });
  const made = { ids, wts, total };
  ctx.pools[slot] = made;
  return made;
}

/** Decode one choice into a trace step, or null when nothing is enabled. */
export function decode(choice: number, ctx: GenCtx): TraceStep | null {
  ctx.objCache?.clear();
  // Candidates: the pool's makers, then the runnable processes, with their weights.
  // At the pending bound, operations still run, but only to completion (they interleave with
  // the pending processes without adding one, unless they block).
  const mustComplete = ctx.pending >= ctx.profile.maxPending && ctx.runnable.length > 0;
  const base = pool(ctx, ctx.deviceEvents < ctx.profile.maxDeviceEvents);
  const n = base.ids.length;
  const stepWeight = Math.max(1, Math.round(base.total / ctx.profile.lazy));
  let weight = base.total + stepWeight * ctx.runnable.length;
  if (weight === 0) return null;
  const c = new Choice(choice);
  // Pick by weight; a maker with nothing to offer (no object yet, say) is dropped and the pick
  // repeated among the others, so its weight does not leak to a neighbour.
  ctx.dropped ??= new Uint8Array(MAKER_LIST.length);
  const dropped = ctx.dropped;
  let out: TraceStep | null = null;
  let ndropped = 0;
  while (weight > 0) {
    let at = c.below(weight);
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (dropped[i] === 1) continue;
      const wt = base.wts[i] ?? 0;
      if (at < wt) {
        pick = i;
        break;
      }
      at -= wt;
    }
    if (pick < 0) {
      const k = Math.min(Math.floor(at / stepWeight), ctx.runnable.length - 1);
      out = { op: 'step', args: { proc: ctx.runnable[k] ?? '' } };
      break;
    }
    const step = MAKER_LIST[base.ids[pick] ?? 0]?.make(c, ctx) ?? null;
    if (step && (enabled(ctx, step) || c.oneIn(MISUSE_ONE_IN))) {
      // Half the operations run to completion in one command; the others start and interleave.
      // DMA mostly starts: in-flight DMA is what invalidations and moves must wait for.
      const dma = step.op === 'imp.read' || step.op === 'imp.write';
      out = mustComplete || c.oneIn(dma ? 4 : 2) ? step : { ...step, start: `p${++ctx.label}` };
      break;
    }
    dropped[pick] = 1;
    ndropped += 1;
    weight -= base.wts[pick] ?? 0;
  }
  if (ndropped > 0) dropped.fill(0, 0, n);
  return out;
}
