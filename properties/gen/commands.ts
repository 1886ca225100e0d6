/**
 * The commands enabled in a given state: start an operation (arguments drawn from live ids),
 * or step one pending process that is not blocked. A choice integer picks one; shrinking the
 * integer towards 0 picks earlier, simpler commands.
 */
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

/** An importer op on an object the importer may use. */
function impOp(
  name: string,
  kinds: readonly string[],
  objKind: 'anon' | 'bo',
  live: boolean,
  extra?: (c: Choice, ctx: GenCtx, obj: string) => Record<string, unknown>,
): Maker {
  return (c, ctx) => {
    const importer = c.pick(importersOf(ctx, kinds));
    const obj = c.pick(objsOf(ctx, objKind, live));
    if (importer === undefined || obj === undefined) return null;
    return op(name, { importer, obj, ...(extra ? extra(c, ctx, obj) : {}) });
  };
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
      const bo = ctx.profile.families.has('dmabuf') && ctx.profile.devices.length > 0 && c.oneIn(2);
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
  dmabuf: [],
  share: [],
  device: [],
  userptr: [],
};

/** Register more makers for a family (later mechanisms add theirs). */
export function addMakers(family: Family, makers: readonly Maker[]): void {
  (MAKERS as Record<Family, Maker[]>)[family] = [...MAKERS[family], ...makers];
}

export type { Maker };

/** Decode one choice into a trace step, or null when nothing is enabled. */
export function decode(choice: number, ctx: GenCtx): TraceStep | null {
  const cands: Candidate[] = [];
  const canStart = ctx.pending < ctx.profile.maxPending || ctx.runnable.length === 0;
  if (canStart) {
    for (const fam of ctx.profile.families) {
      if (fam === 'device' && ctx.deviceEvents >= ctx.profile.maxDeviceEvents) continue;
      const wt = ctx.profile.weights[fam] ?? 1;
      if (wt > 0) for (const m of MAKERS[fam]) cands.push({ weight: wt, make: m });
    }
  }
  const opWeight = cands.reduce((n, k) => n + k.weight, 0);
  const stepWeight = Math.max(3, Math.round(opWeight / 3));
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
    if (step) {
      if (step.op === 'step') return step;
      // Half the operations run to completion in one command; the others start and interleave.
      return c.oneIn(2) ? step : { ...step, start: `p${++ctx.label}` };
    }
    left.splice(i, 1);
    weight -= cand.weight;
  }
  return null;
}
