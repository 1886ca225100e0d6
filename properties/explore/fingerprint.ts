/**
 * State fingerprints: a 64-bit hash (two independent 32-bit lanes) of the world, the
 * specification's product state, the ghost and the workload's progress, computed by one walk
 * over the plain data — no JSON. Generic, so fields the world gains are hashed without anyone
 * touching this file; test/explore-state.test.ts changes every field of a rich world one at a
 * time and fails when a change leaves the fingerprint as it was (outside the documented
 * exclusions below).
 *
 * Canonical: a record's fields (objects, Maps, Sets) are combined order-independently, so two
 * states that differ only in the order their keys were inserted (the specification's instances,
 * an importer's objects, the ghost's pages) hash alike; arrays keep their order.
 *
 * Left out, and why (docs/explore.md has the argument in full):
 *   - `config`, `faults`, `pools`, `dummyFrame`: the same for every state of one exploration;
 *   - `log`: the last step's events and observations, cleared before the next step reads it;
 *   - a process's `wait` (a record of why its last step blocked; nothing reads it), `label`
 *     (a name for the trace; explore addresses processes by pid), and `op` and `args` (fixed by
 *     the pid: every operation of the workload has its own);
 *   - with the `counters` reduction: `nextPid`, `nextUid`, `nextId`, `clock`, which only mint
 *     fresh names and timestamps;
 *   - with the `procs` reduction, the order of `procs` (a set rather than a list).
 */
import type { InstanceState, SpecState } from '../../models/product.js';
import type { Proc, World } from '../../src/world/types.js';
import type { Ghost } from '../ghost.js';
import type { InvalidationWatch } from '../invalidation-watch.js';
import { ID_BASE } from './scope.js';

/** Fields of the world that are not part of its state (constant, or transient). */
export const WORLD_CONSTANT: ReadonlySet<string> = new Set([
  'config',
  'faults',
  'pools',
  'dummyFrame',
  'log',
]);

/** Counters that mint fresh pids, uids, ids and LRU timestamps (the `counters` reduction). */
export const WORLD_COUNTERS: ReadonlySet<string> = new Set([
  'nextPid',
  'nextUid',
  'nextId',
  'clock',
]);

/**
 * Fields of a process left out of its hash: `wait` and `label` are not state, and `op` and
 * `args` are fixed by the pid (explore gives every operation of the workload its own pid).
 */
export const PROC_IGNORED: ReadonlySet<string> = new Set(['wait', 'label', 'op', 'args']);

/**
 * A renaming applied while hashing (symmetry): names inside strings (their words) and numbers
 * in the reserved pid and uid ranges.
 */
export interface Renaming {
  /** Name → name, for importer ids, object names and object keys. */
  readonly names: ReadonlyMap<string, string>;
  /** Number → number, for reserved-range pids and uids. */
  readonly numbers: ReadonlyMap<number, number>;
  /** The workload threads' order under the renaming: position i holds thread perm[i]. */
  readonly threads: readonly number[];
}

export interface HashOptions {
  readonly counters: boolean;
  readonly procSet: boolean;
  /** Hash notifier sequences (fields `seq`, `seqHigh`) by their relations only (seqGaps). */
  readonly seqs?: boolean;
  /** Hash minted ids (numbers from ID_BASE up) by their rank only (idRanks). */
  readonly ids?: boolean;
}

/**
 * Every minted id (a number at or above ID_BASE) inside v: fields, array elements, and Map keys
 * and values. Where the world keeps them: active ranges, in-flight DMA, engine jobs, attach
 * orders (importers' subscriptions and attachments), processes' own state; and the observers'
 * ghost and watch.
 */
function collectIds(v: unknown, out: number[]): void {
  if (typeof v === 'number') {
    if (v >= ID_BASE) out.push(v);
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) collectIds(x, out);
    return;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      collectIds(k, out);
      collectIds(x, out);
    }
    return;
  }
  if (v instanceof Set) {
    for (const x of v) collectIds(x, out);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) collectIds(o[k], out);
}

/**
 * The minted ids a state holds, where the `ids` reduction looks for them (test/explore-ids.test.ts
 * checks that no state of the scopes holds one anywhere else, nor inside a string).
 */
export function mintedIds(s: Pick<StateParts, 'w' | 'ghost' | 'watch'>): number[] {
  const ids: number[] = [];
  const w = s.w;
  collectIds(w.mm, ids);
  collectIds(w.dma, ids);
  collectIds(w.jobs, ids);
  // Importers keep ids only as attach orders (subscription, attachment): their page tables,
  // pins and maps are the bulk of the walk and hold none.
  for (const id in w.importers) {
    const objs = w.importers[id]?.objs;
    for (const o in objs) {
      const io = objs[o];
      if (io?.sub && io.sub.order >= ID_BASE) ids.push(io.sub.order);
      if (io?.att && io.att.order >= ID_BASE) ids.push(io.att.order);
    }
  }
  for (const p of w.procs) collectIds(p.st, ids);
  collectIds(s.ghost, ids);
  collectIds(s.watch, ids);
  return ids;
}

/**
 * The `ids` reduction: minted ids renamed by rank, the smallest stored one becoming
 * -(ID_BASE + 0), the next -(ID_BASE + 1), … — a range no other number in a state uses, so an id
 * left unrenamed can never be taken for a renamed one. The model compares ids only for equality
 * (and attach orders for order), and a fresh id is greater than every stored one: states whose
 * stored ids differ by an order-preserving bijection behave alike (docs/explore.md).
 */
export function idRanks(values: readonly number[]): Map<number, number> {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  for (let i = 0; i < sorted.length; i++) out.set(sorted[i] as number, -(ID_BASE + i));
  return out;
}

/** The fields that hold interval-notifier sequence values, wherever they are in a state. */
export const SEQ_FIELDS: ReadonlySet<string> = new Set(['seq', 'seqHigh']);

/** Every sequence value (≥ 0; -1 is "none") held under a SEQ_FIELDS key inside v. */
function collectSeqs(v: unknown, out: number[]): void {
  if (typeof v !== 'object' || v === null || v instanceof Map || v instanceof Set) return;
  if (Array.isArray(v)) {
    for (const x of v) collectSeqs(x, out);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'number') {
      if (x >= 0 && SEQ_FIELDS.has(k)) out.push(x);
    } else if (typeof x === 'object' && x !== null) collectSeqs(x, out);
  }
}

/**
 * The `seqs` reduction: sequence values renamed by their relations alone. Sorted, the smallest
 * becomes 2 or 3 (its parity kept); a gap of 1 or 2 to the next is kept, a larger one becomes 3
 * or 4 (its parity kept). The model only compares sequences (==, <, odd or even), copies them
 * (a subscription takes mm's, read_begin a subscription's, the watch the highest) and moves mm's
 * up by one or makes a value one below it, so no later step can tell a gap of 3 from one of 5:
 * states that differ only there behave alike (docs/explore.md).
 */
export function seqGaps(values: readonly number[]): Map<number, number> {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let prev = -1;
  let at = 0;
  for (const v of sorted) {
    if (prev < 0) at = 2 + (v & 1);
    else {
      const gap = v - prev;
      at += gap <= 2 ? gap : 3 + ((gap + 1) & 1);
    }
    out.set(v, at);
    prev = v;
  }
  return out;
}

/** What explore's state is made of: the session's parts and how far each thread has got. */
export interface StateParts {
  readonly w: World;
  readonly spec: SpecState;
  readonly ghost: Ghost;
  /** The observers' count of each invalidation's unhindered steps (an invariant reads it). */
  readonly watch: InvalidationWatch;
  /** Per workload thread: how many of its operations have been started. */
  readonly started: readonly number[];
}

const T_NULL = 0x9e3779b1;
const T_UNDEF = 0x7f4a7c15;
const T_TRUE = 0x85ebca6b;
const T_FALSE = 0xc2b2ae35;
const T_ARRAY = 0x27d4eb2f;
const T_OBJECT = 0x165667b1;
const T_MAP = 0xd3a2646c;
const T_SET = 0xfd7046c5;
const T_NUM = 0xb55a4f09;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fmix2(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * Two lanes of a string hash, cached (the same short strings recur in every state): the map gives
 * a slot, the lanes are in two typed arrays (one lookup per string, no objects).
 */
const stringSlot = new Map<string, number>();
let laneA = new Uint32Array(1024);
let laneB = new Uint32Array(1024);

function strHash(s: string): void {
  const i = stringSlot.get(s);
  if (i !== undefined) {
    A = laneA[i] as number;
    B = laneB[i] as number;
    return;
  }
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let k = 0; k < s.length; k++) {
    const ch = s.charCodeAt(k);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x5bd1e995) ^ (b >>> 15);
  }
  A = fmix(a);
  B = fmix2(b);
  if (stringSlot.size >= 200_000) stringSlot.clear();
  const slot = stringSlot.size;
  if (slot >= laneA.length) {
    const na = new Uint32Array(laneA.length * 2);
    const nb = new Uint32Array(laneB.length * 2);
    na.set(laneA);
    nb.set(laneB);
    laneA = na;
    laneB = nb;
  }
  laneA[slot] = A;
  laneB[slot] = B;
  stringSlot.set(s, slot);
}

// The two lanes of the value hashed last (registers, so hashing allocates nothing).
let A = 0;
let B = 0;

/** Hashes states, optionally under a renaming (one Hasher per renaming: it caches strings). */
export class Hasher {
  private readonly renamed = new Map<string, string>();
  /** With the `seqs` reduction: this state's sequence values, renamed (seqGaps). */
  private seqMap: Map<number, number> | null = null;
  /** With the `ids` reduction: this state's minted ids, renamed (idRanks). */
  private idMap: Map<number, number> | null = null;

  constructor(
    private readonly opts: HashOptions,
    private readonly rename: Renaming | null = null,
  ) {}

  private str(s: string): void {
    if (this.rename === null) {
      strHash(s);
      return;
    }
    let r = this.renamed.get(s);
    if (r === undefined) {
      r = renameTokens(s, this.rename);
      this.renamed.set(s, r);
    }
    strHash(r);
  }

  private num(n: number): void {
    if (this.rename !== null) n = this.rename.numbers.get(n) ?? n;
    if (this.idMap !== null && n >= ID_BASE) n = this.idMap.get(n) ?? n;
    if ((n | 0) === n) {
      A = fmix(n ^ T_NUM);
      B = fmix2(Math.imul(n, 0x9e3779b1) ^ T_NUM);
    } else {
      strHash(String(n));
    }
  }

  /** Hash any plain value into (A, B). */
  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.str(v);
        return;
      case 'number':
        this.num(v);
        return;
      case 'boolean':
        A = v ? T_TRUE : T_FALSE;
        B = v ? T_FALSE : T_TRUE;
        return;
      case 'undefined':
        A = T_UNDEF;
        B = T_NULL;
        return;
      case 'object':
        break;
      default:
        this.str(String(v));
        return;
    }
    if (v === null) {
      A = T_NULL;
      B = T_UNDEF;
      return;
    }
    if (Array.isArray(v)) {
      this.list(v);
      return;
    }
    if (v instanceof Map) {
      let a = T_MAP;
      let b = T_MAP;
      for (const [k, x] of v) {
        this.value(k);
        const ka = A;
        const kb = B;
        this.value(x);
        a = (a + fmix(ka ^ Math.imul(A, 0x27d4eb2f))) | 0;
        b = (b + fmix2(kb ^ Math.imul(B, 0x165667b1))) | 0;
      }
      A = fmix(a ^ v.size);
      B = fmix2(b ^ v.size);
      return;
    }
    if (v instanceof Set) {
      let a = T_SET;
      let b = T_SET;
      for (const x of v) {
        this.value(x);
        a = (a + fmix(A)) | 0;
        b = (b + fmix2(B)) | 0;
      }
      A = fmix(a ^ v.size);
      B = fmix2(b ^ v.size);
      return;
    }
    this.record(v as Record<string, unknown>, null);
  }

  private list(v: readonly unknown[]): void {
    let a = T_ARRAY ^ v.length;
    let b = T_ARRAY + v.length;
    for (let i = 0; i < v.length; i++) {
      this.value(v[i]);
      a = fmix(Math.imul(a, 31) ^ A);
      b = fmix2(Math.imul(b, 37) ^ B);
    }
    A = a;
    B = b;
  }

  /** An object's fields, order-independently; `skip` leaves some out. */
  private record(o: Record<string, unknown>, skip: ReadonlySet<string> | null): void {
    let a = T_OBJECT;
    let b = T_OBJECT;
    let n = 0;
    for (const k in o) {
      if (skip?.has(k)) continue;
      const x = o[k];
      if (x === undefined) continue;
      this.str(k);
      const ka = A;
      const kb = B;
      if (this.seqMap !== null && typeof x === 'number' && SEQ_FIELDS.has(k))
        this.num(this.seqMap.get(x) ?? x);
      else this.value(x);
      a = (a + fmix(ka ^ Math.imul(A, 0x27d4eb2f))) | 0;
      b = (b + fmix2(kb ^ Math.imul(B, 0x165667b1))) | 0;
      n++;
    }
    A = fmix(a ^ n);
    B = fmix2(b ^ n);
  }

  private procs(ps: readonly Proc[]): void {
    let a = T_ARRAY;
    let b = T_ARRAY;
    for (const p of ps) {
      this.record(p as unknown as Record<string, unknown>, PROC_IGNORED);
      if (this.opts.procSet) {
        a = (a + fmix(A)) | 0;
        b = (b + fmix2(B)) | 0;
      } else {
        a = fmix(Math.imul(a, 31) ^ A);
        b = fmix2(Math.imul(b, 37) ^ B);
      }
    }
    A = fmix(a ^ ps.length);
    B = fmix2(b ^ ps.length);
  }

  private world(w: World): void {
    let a = T_OBJECT;
    let b = T_OBJECT;
    const o = w as unknown as Record<string, unknown>;
    for (const k in o) {
      if (WORLD_CONSTANT.has(k)) continue;
      if (this.opts.counters && WORLD_COUNTERS.has(k)) continue;
      this.str(k);
      const ka = A;
      const kb = B;
      if (k === 'procs') this.procs(w.procs);
      else this.value(o[k]);
      a = (a + fmix(ka ^ Math.imul(A, 0x27d4eb2f))) | 0;
      b = (b + fmix2(kb ^ Math.imul(B, 0x165667b1))) | 0;
    }
    A = a;
    B = b;
  }

  private spec(s: SpecState): void {
    // Instance states are immutable and shared (the product caches them): hash each once, and
    // without the state's sequence renaming (they hold no sequence; a cached hash must not
    // depend on the state it was first met in).
    const seqMap = this.seqMap;
    const idMap = this.idMap;
    this.seqMap = null;
    this.idMap = null;
    let a = T_MAP;
    let b = T_MAP;
    for (const id in s.inst) {
      const inst = s.inst[id];
      if (inst === undefined) continue;
      this.str(id);
      const ia = A;
      const ib = B;
      this.instance(inst);
      a = (a + fmix(ia ^ Math.imul(A, 0x27d4eb2f))) | 0;
      b = (b + fmix2(ib ^ Math.imul(B, 0x165667b1))) | 0;
    }
    this.seqMap = seqMap;
    this.idMap = idMap;
    const sa = a;
    const sb = b;
    this.value(s.dir);
    A = fmix(sa ^ Math.imul(A, 0x85ebca6b));
    B = fmix2(sb ^ Math.imul(B, 0xc2b2ae35));
  }

  private readonly instCache = new WeakMap<InstanceState, readonly [number, number]>();

  private instance(inst: InstanceState): void {
    const c = this.instCache.get(inst);
    if (c) {
      A = c[0];
      B = c[1];
      return;
    }
    this.str(inst.v);
    const va = A;
    const vb = B;
    this.value(inst.c);
    A = fmix(va ^ Math.imul(A, 0x9e3779b1));
    B = fmix2(vb ^ Math.imul(B, 0x7f4a7c15));
    this.instCache.set(inst, [A, B]);
  }

  /** The fingerprint of a state: two 32-bit lanes. */
  hash(s: StateParts): [number, number] {
    if (this.opts.seqs === true) {
      const seqs: number[] = [s.w.mm.seq];
      for (const id in s.w.importers) {
        const objs = s.w.importers[id]?.objs;
        for (const o in objs) {
          const seq = objs[o]?.sub?.seq;
          if (seq !== undefined) seqs.push(seq);
        }
      }
      for (const p of s.w.procs) collectSeqs(p.st, seqs);
      collectSeqs(s.watch, seqs);
      this.seqMap = seqGaps(seqs);
    } else this.seqMap = null;
    if (this.opts.ids === true) {
      const ids = mintedIds(s);
      this.idMap = ids.length === 0 ? null : idRanks(ids);
    } else this.idMap = null;
    this.world(s.w);
    const wa = A;
    const wb = B;
    this.spec(s.spec);
    const sa = A;
    const sb = B;
    this.value(s.ghost);
    const ga0 = A;
    const gb0 = B;
    this.value(s.watch);
    const ga = fmix(ga0 ^ Math.imul(A, 0x2c1b3c6d));
    const gb = fmix2(gb0 ^ Math.imul(B, 0x297a2d39));
    const started = this.rename
      ? this.rename.threads.map((t) => s.started[t] ?? 0)
      : (s.started as number[]);
    this.list(started);
    const a = fmix(wa ^ Math.imul(sa, 31) ^ Math.imul(ga, 961) ^ Math.imul(A, 29791));
    const b = fmix2(wb ^ Math.imul(sb, 37) ^ Math.imul(gb, 1369) ^ Math.imul(B, 50653));
    return [a, b];
  }
}

/** Rename the words of a string (runs of letters, digits, `_` and `-`): names and reserved numbers. */
function renameTokens(s: string, r: Renaming): string {
  const direct = r.names.get(s);
  if (direct !== undefined) return direct;
  return s.replace(/[A-Za-z0-9_-]+/g, (tok) => {
    const named = r.names.get(tok);
    if (named !== undefined) return named;
    if (tok.charCodeAt(0) < 48 || tok.charCodeAt(0) > 57) return tok;
    const n = Number(tok);
    return Number.isInteger(n) ? String(r.numbers.get(n) ?? n) : tok;
  });
}
