/**
 * The commands enabled in a given state: start an operation (arguments drawn from live ids),
 * or step one pending process that is not blocked. A choice integer picks one; shrinking the
 * integer towards 0 picks earlier, simpler commands.
 */
import { opDef } from '../../src/exec/registry.js';
import type { World } from '../../src/world/types.js';
import type { TraceStep } from '../trace/types.js';
import { Choice } from './choose.js';
import type { Family, Profile } from './profile.js';

export const OBJ_NAMES = ['a', 'b', 'c'] as const;

export interface GenCtx {
  readonly w: World;
  readonly profile: Profile;
  /** Pending processes whose next step can run. */
  readonly runnable: readonly string[];
  /** Pending processes in all. */
  readonly pending: number;
  deviceEvents: number;
  /** Whether this run creates bos (some bo operation is on). */
  readonly bo: boolean;
  /** Next write value (unique within a run) and label number. */
  value: number;
  label: number;
}

interface Candidate {
  readonly weight: number;
  make(c: Choice, ctx: GenCtx): TraceStep | null;
}

function importersOf(ctx: GenCtx, kinds: readonly string[]): string[] {
  return ctx.w.config.importers
    .filter((i) => kinds.includes(i.kind) && ctx.profile.importers.includes(i.id))
    .map((i) => i.id);
}

function objsOf(ctx: GenCtx, kind: 'anon' | 'bo' | 'any', live = true): string[] {
  return Object.values(ctx.w.objects)
    .filter((o) => (kind === 'any' || o.kind === kind) && (!live || !o.destroyed))
    .map((o) => o.name);
}

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
  return (c, ctx) => {
    const importers = importersOf(ctx, kinds);
    const objs = objsOf(ctx, objKind, live);
    const pairs: TraceStep[] = [];
    for (const obj of objs) {
      for (const importer of importers) pairs.push(op(name, { importer, obj }));
    }
    const chosen = firstEnabled(ctx, pairs, c);
    if (!chosen) return null;
    const obj = String(chosen.args.obj);
    return extra ? op(name, { ...chosen.args, ...extra(c, ctx, obj) }) : chosen;
  };
}

/** The first candidate (from a rotation the choice picks) that the op would accept, else any. */
function firstEnabled(ctx: GenCtx, cands: readonly TraceStep[], c: Choice): TraceStep | undefined {
  if (cands.length === 0) return undefined;
  const at = c.below(cands.length);
  for (let k = 0; k < cands.length; k++) {
    const cand = cands[(at + k) % cands.length];
    if (cand && enabled(ctx, cand)) return cand;
  }
  return cands[at];
}

/** A device event on one of the run's devices. */
function devOp(
  c: Choice,
  ctx: GenCtx,
  name: string,
  extra: Record<string, unknown>,
): TraceStep | null {
  const cands = ctx.profile.devices.map((device) => op(name, { device, ...extra }));
  return firstEnabled(ctx, cands, c) ?? null;
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
      return obj === undefined ? null : op('obj.destroy', { obj });
    },
  ],
  cpu: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      return obj === undefined ? null : op('cpu.read', { obj, page: c.below(pagesOf(ctx, obj)) });
    },
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      return obj === undefined
        ? null
        : op('cpu.write', { obj, page: c.below(pagesOf(ctx, obj)), value: ++ctx.value });
    },
  ],
  migrate: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'any'));
      if (obj === undefined) return null;
      const o = ctx.w.objects[obj];
      if (o?.kind === 'bo') return op('obj.migrate', { obj, to: c.oneIn(2) ? 'vram' : 'system' });
      if (c.oneIn(3)) return op('obj.migrate', { obj, to: 'system' });
      const device = c.pick(ctx.profile.devices);
      return device === undefined ? null : op('obj.migrate', { obj, to: 'vram', device });
    },
  ],
  reclaim: [
    (c, ctx) => {
      const obj = c.pick(objsOf(ctx, 'anon'));
      if (obj === undefined) return null;
      const p = c.below(pagesOf(ctx, obj));
      return op('mm.reclaim', c.oneIn(3) ? { obj, page: p, blockable: false } : { obj, page: p });
    },
  ],
  mirror: [
    impOp('imp.attach', ['mirror'], 'anon', true),
    impOp('imp.map', ['mirror'], 'anon', true),
    impOp('imp.unmap', ['mirror'], 'anon', false),
    impOp('imp.detach', ['mirror'], 'anon', false),
    impOp('imp.read', ['mirror'], 'anon', false, page),
    impOp('imp.write', ['mirror'], 'anon', false, pageValue),
  ],
  pin: [
    impOp('imp.pin', ['gup', 'dio'], 'anon', true),
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
    (c, ctx) => (c.oneIn(2) ? devOp(c, ctx, 'dev.unplug', {}) : null),
  ],
  userptr: [],
};

export type { Maker };

/** Every operation the generator can start, in a fixed order (swarm weights index it). */
export const MAKER_LIST: readonly { readonly family: Family; readonly make: Maker }[] = (
  Object.entries(MAKERS) as [Family, readonly Maker[]][]
).flatMap(([family, ms]) => ms.map((make) => ({ family, make })));

/** How much rarer a device event is than any other operation of the same swarm weight. */
export const DEVICE_RARITY = 6;

/** One generated operation in this many is kept although it will fail (misuse is tested too). */
export const MISUSE_ONE_IN = 10;

/** Whether the operation would pass validation now (its process would start). */
function enabled(ctx: GenCtx, step: TraceStep): boolean {
  const def = opDef(step.op);
  return def !== undefined && typeof def.start(ctx.w, step.args, 0) !== 'string';
}

/** Decode one choice into a trace step, or null when nothing is enabled. */
export function decode(choice: number, ctx: GenCtx): TraceStep | null {
  const cands: Candidate[] = [];
  const canStart = ctx.pending < ctx.profile.maxPending || ctx.runnable.length === 0;
  if (canStart) {
    MAKER_LIST.forEach((m, i) => {
      if (m.family === 'device' && ctx.deviceEvents >= ctx.profile.maxDeviceEvents) return;
      // Device events are rare: they come, if at all, once a run has built some state up.
      const wt = (ctx.profile.weights[i] ?? 0) * (m.family === 'device' ? 1 : DEVICE_RARITY);
      if (wt > 0) cands.push({ weight: wt, make: m.make });
    });
  }
  const opWeight = cands.reduce((n, k) => n + k.weight, 0);
  const stepWeight = Math.max(1, Math.round(opWeight / ctx.profile.lazy));
  for (const label of ctx.runnable) {
    cands.push({ weight: stepWeight, make: () => ({ op: 'step', args: { proc: label } }) });
  }
  const total = cands.reduce((n, k) => n + k.weight, 0);
  if (total === 0) return null;
  const c = new Choice(choice);
  // Pick by weight; a candidate with nothing to offer (no object yet, say) is dropped and the
  // pick repeated among the others, so its weight does not leak to a neighbour.
  const left = [...cands];
  let weight = total;
  while (left.length > 0 && weight > 0) {
    let at = c.below(weight);
    let i = 0;
    while (i < left.length - 1 && at >= (left[i]?.weight ?? 0)) at -= left[i++]?.weight ?? 0;
    const cand = left[i];
    if (!cand) break;
    const step = cand.make(c, ctx);
    if (step && (step.op === 'step' || enabled(ctx, step) || c.oneIn(MISUSE_ONE_IN))) {
      if (step.op === 'step') return step;
      // Half the operations run to completion in one command; the others start and interleave.
      // DMA mostly starts: in-flight DMA is what invalidations and moves must wait for.
      const dma = step.op === 'imp.read' || step.op === 'imp.write';
      return c.oneIn(dma ? 4 : 2) ? step : { ...step, start: `p${++ctx.label}` };
    }
    left.splice(i, 1);
    weight -= cand.weight;
  }
  return null;
}
