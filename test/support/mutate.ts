/**
 * Malformed and mutated trace files and configurations for the fuzz test: start from a valid
 * trace (the scenarios and the regression corpus) and change it the ways a file goes wrong —
 * values of the wrong type or size, keys removed or added (prototype keys among them), steps
 * duplicated, dropped or reordered, deep nesting, broken JSON. A mutation that the contract says
 * must be refused says so (`mustRefuse`), so a silent acceptance is caught.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LIMITS } from '../../properties/trace/limits.js';
import { OP_NAMES } from '../../src/exec/registry.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

export interface Mutant {
  /** The file's text. */
  readonly text: string;
  /** What was done, for the failure message. */
  readonly what: readonly string[];
  /** The contract says this file must be refused (exit 2). */
  readonly mustRefuse: boolean;
}

export function corpus(): Json[] {
  return ['test/scenarios', 'test/regressions'].flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(d, f), 'utf8')) as Json),
  );
}

/** Every path to a value inside `v` (the root is []), down to 40 levels. */
function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (at.length >= 40) return out;
  if (Array.isArray(v))
    v.forEach((x, i) => {
      paths(x, [...at, i], out);
    });
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function get(v: Json, p: Path): Json | undefined {
  let cur: Json | undefined = v;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

function set(v: Json, p: Path, x: Json | undefined): Json {
  if (p.length === 0) return x ?? null;
  const [k, ...rest] = p;
  if (Array.isArray(v) && typeof k === 'number') {
    const copy = [...v];
    if (rest.length === 0 && x === undefined) copy.splice(k, 1);
    else copy[k] = set(copy[k] ?? null, rest, x);
    return copy;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && k !== undefined) {
    const copy: Record<string, Json> = { ...v };
    if (rest.length === 0 && x === undefined) delete copy[String(k)];
    else
      Object.defineProperty(copy, String(k), {
        value: set(copy[String(k)] ?? null, rest, x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return copy;
  }
  return v;
}

/** Values that stress the schema: wrong types, sizes at and past the limits, unsafe numbers. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    0.5,
    1e15,
    2 ** 31,
    2 ** 53,
    1e23,
    -1e23,
    LIMITS.systemFrames,
    LIMITS.systemFrames + 1,
    LIMITS.pages,
    LIMITS.pages + 1,
    '',
    'x'.repeat(LIMITS.idLength + 1),
    '__proto__',
    'constructor',
    'toString',
    '#0',
    'gpu0',
    'mirror0',
    'a',
    'vram',
    'system',
    'commit',
    [],
    {},
    [0, 1, 2],
  ),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'] as const;

/** A small deterministic generator (mulberry32), so a mutant is a function of its seed. */
interface Rng {
  nextInt(min: number, max: number): number;
}

function rng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    nextInt(min, max) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return min + Math.floor(u * (max - min + 1));
    },
  };
}

type Mutation = (v: Json, r: Rng) => { v: Json; what: string };

function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[r.nextInt(0, xs.length - 1)] as T;
}

function depth(v: Json): number {
  if (v === null || typeof v !== 'object') return 0;
  const kids = Array.isArray(v) ? v : Object.values(v);
  return 1 + kids.reduce((m: number, x) => Math.max(m, depth(x)), 0);
}

function hasForbiddenKey(v: Json): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasForbiddenKey);
  return Object.entries(v).some(([k, x]) => FORBIDDEN.includes(k as never) || hasForbiddenKey(x));
}

/** What the contract says must be refused whatever else the file holds. */
function mustBeRefused(v: Json, configAt: Path): boolean {
  if (depth(v) > LIMITS.nesting || hasForbiddenKey(v)) return true;
  const c = get(v, configAt);
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return false;
  const sys = c.systemFrames;
  const swap = c.swapSlots;
  return (
    (typeof sys === 'number' && sys > LIMITS.systemFrames) ||
    (typeof swap === 'number' && swap > LIMITS.swapSlots)
  );
}

function objectPaths(v: Json): Path[] {
  return paths(v).filter((p) => {
    const x = get(v, p);
    return x !== null && typeof x === 'object' && !Array.isArray(x);
  });
}

/** Small changes that keep the file's shape: the kernel, not the loader, has to cope. */
function gentle(): Mutation[] {
  const tweak: Mutation = (v, r) => {
    const nums = paths(v).filter((p) => typeof get(v, p) === 'number');
    if (nums.length === 0) return { v, what: 'no numbers' };
    const p = pick(r, nums);
    const x = (get(v, p) as number) + pick(r, [-1, 1, 2, -2]);
    return { v: set(v, p, x), what: `tweak ${p.join('.')} to ${x}` };
  };
  const swapArgs: Mutation = (v, r) => {
    const steps = get(v, ['steps']);
    if (!Array.isArray(steps) || steps.length < 2) return { v, what: 'few steps' };
    const i = r.nextInt(0, steps.length - 1);
    const j = r.nextInt(0, steps.length - 1);
    const a = get(v, ['steps', i, 'args']);
    const b = get(v, ['steps', j, 'args']);
    if (a === undefined || b === undefined) return { v, what: 'no args' };
    return {
      v: set(set(v, ['steps', i, 'args'], b), ['steps', j, 'args'], a),
      what: `swap args of steps ${i} and ${j}`,
    };
  };
  return [tweak, tweak, swapArgs];
}

function mutations(values: readonly Json[], configAt: Path): Mutation[] {
  return [
    ...gentle(),
    (v, r) => {
      const inner = paths(v).filter((q) => q.length > 0);
      if (inner.length === 0) return { v, what: 'nothing to delete' };
      const p = pick(r, inner);
      return { v: set(v, p, undefined), what: `delete ${p.join('.')}` };
    },
    (v, r) => {
      const p = pick(r, paths(v));
      const x = pick(r, values);
      return { v: set(v, p, x), what: `set ${p.join('.')} = ${JSON.stringify(x)?.slice(0, 60)}` };
    },
    (v, r) => {
      const objects = objectPaths(v);
      if (objects.length === 0) return { v, what: 'no object to add a key to' };
      const p = pick(r, objects);
      const k = pick(r, FORBIDDEN);
      const x = pick(r, values);
      return { v: set(v, [...p, k], x), what: `add key ${[...p, k].join('.')}` };
    },
    (v, r) => {
      const objects = objectPaths(v);
      if (objects.length === 0) return { v, what: 'no object to add a key to' };
      const p = pick(r, objects);
      const k = pick(r, ['extra', 'note', 'start', 'expect', 'args', 'op', 'found', 'description']);
      return { v: set(v, [...p, k], pick(r, values)), what: `add key ${[...p, k].join('.')}` };
    },
    (v, r) => {
      const steps = get(v, ['steps']);
      if (!Array.isArray(steps) || steps.length === 0) return { v, what: 'no steps' };
      const i = r.nextInt(0, steps.length - 1);
      const j = r.nextInt(0, steps.length - 1);
      const out = [...steps];
      const kind = r.nextInt(0, 3);
      if (kind === 0) out.splice(j, 0, steps[i] ?? null);
      else if (kind === 1) out.splice(i, 1);
      else if (kind === 2) [out[i], out[j]] = [out[j] ?? null, out[i] ?? null];
      else out.length = i;
      return {
        v: set(v, ['steps'], out),
        what: `steps: ${['duplicate', 'drop', 'swap', 'truncate'][kind]} ${i} ${j}`,
      };
    },
    (v, r) => {
      const steps = get(v, ['steps']);
      if (!Array.isArray(steps) || steps.length === 0) return { v, what: 'no steps' };
      const i = r.nextInt(0, steps.length - 1);
      const op = pick(r, [...OP_NAMES, 'step', 'run', 'finish', 'obj.frobnicate', '']);
      return { v: set(v, ['steps', i, 'op'], op), what: `steps.${i}.op = ${op}` };
    },
    (v, r) => {
      const p = pick(r, paths(v));
      const depth = pick(r, [LIMITS.nesting + 1, 100, 1000]);
      let x: Json = get(v, p) ?? 1;
      for (let d = 0; d < depth; d++) x = r.nextInt(0, 1) === 0 ? [x] : { a: x };
      return { v: set(v, p, x), what: `nest ${p.join('.')} ${depth} deep` };
    },
    (v, r) => {
      const what = pick(r, ['systemFrames', 'swapSlots'] as const);
      const x = pick(r, [LIMITS.systemFrames + 1, 1e15, 2 ** 31, LIMITS.swapSlots + 1]);
      return { v: set(v, [...configAt, what], x), what: `config.${what} = ${x}` };
    },
  ];
}

/**
 * A mutated file, from one of `seeds`, mutated one to three times; `configAt` is where its
 * configuration is (['config'] in a trace, [] in a --config file).
 */
export function mutantArb(
  seeds: readonly Json[],
  configAt: Path = ['config'],
): fc.Arbitrary<Mutant> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), nasty), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 9 }),
      fc.nat(),
    )
    .map(([seed, plan, textual, salt]) => {
      let v = seed;
      const what: string[] = [];
      const r = rng(salt);
      const values: Json[] = plan.map(([, x]) => x);
      const ms = mutations(values, configAt);
      for (const [n] of plan) {
        const m = ms[n % ms.length];
        if (!m) continue;
        const out = m(v, r);
        v = out.v;
        what.push(out.what);
      }
      let text = JSON.stringify(v);
      if (textual === 0 && text.length > 2) {
        // Break the JSON itself: cut it short or drop a character.
        const at = salt % text.length;
        text = salt % 2 === 0 ? text.slice(0, at) : text.slice(0, at) + text.slice(at + 1);
        what.push(`text edit at ${at}`);
      }
      return { text, what, mustRefuse: textual !== 0 && mustBeRefused(v, configAt) };
    });
}
