/**
 * Footprints of atomic steps, for partial-order reduction (search.ts): which parts of the state
 * a step read and which it changed, recorded while the kernel takes it.
 *
 * Cells (the granularity of the record):
 *   `w.K`          a top-level plain value of the world (nextId, clock, …)
 *   `w.K.E`        an entry of one of the world's containers (a frame, an object, an importer,
 *                  a free list…): the kernel reaches every entry through its container, so every
 *                  entry a step touches is seen; whether it changed is found by comparing it
 *                  with the state the step started from
 *   `w.K#keys`     an array container's shape (which entry is at which index)
 *   `p.PID`        a pending process; its own step writes it, starting it creates it
 *   `s.ID`, `s#dir` the specification instances the step's events reach, and its directory
 *   `g.OBJ:PAGE`   the observers' record of a page's value
 * A step that observed anything, was refused by the specification or crashed is *visible*: it
 * is never put to sleep (its checks read the observations along with the rest of the state).
 */
import type { SpecEvent } from '../../models/alphabet.js';
import type { Product, SpecState } from '../../models/product.js';
import type { Proc, World } from '../../src/world/types.js';
import { deepClone } from './clone.js';

export interface Footprint {
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  readonly visible: boolean;
}

/** Two steps commute (and neither enables nor disables the other) if neither writes what the other touches. */
export function independent(a: Footprint, b: Footprint): boolean {
  for (const x of a.writes) if (b.writes.has(x) || b.reads.has(x)) return false;
  for (const x of b.writes) if (a.reads.has(x)) return false;
  return true;
}

const CONSTANT = new Set(['config', 'faults', 'pools', 'dummyFrame', 'log']);

/** Events that change the specification's directory (which objects and importers exist). */
const DIRECTORY_EVENTS = new Set(['obj.create', 'obj.release', 'sub.insert', 'att.attach']);

/** Records one step: `view` is the world the kernel is given, `footprint` reads the record. */
export class Recorder {
  private readonly reads = new Set<string>();
  private readonly writes = new Set<string>();
  /** Container entries the step reached, as they were when it first reached them. */
  private readonly touched = new Map<string, Map<string, unknown>>();
  private readonly views = new Map<string, object>();
  /** Other processes' records the step reached, with their copies from then. */
  private readonly procsTouched = new Map<number, [Proc, Proc]>();
  /** The containers as they were before the step replaced any. */
  private readonly original = new Map<string, object>();
  readonly view: World;

  constructor(
    readonly w: World,
    /** Pending processes are a set (the `procs` reduction): their order is not state. */
    private readonly procSet: boolean,
  ) {
    const rec = this;
    this.view = new Proxy(w, {
      get(target, key) {
        const v = (target as unknown as Record<PropertyKey, unknown>)[key];
        if (typeof key !== 'string' || CONSTANT.has(key)) return v;
        if (typeof v === 'object' && v !== null) {
          if (!rec.original.has(key)) rec.original.set(key, v);
          return rec.container(key, v);
        }
        rec.reads.add(`w.${key}`);
        return v;
      },
      set(target, key, value) {
        (target as unknown as Record<PropertyKey, unknown>)[key] = value;
        if (typeof key !== 'string') return true;
        if (key === 'procs') {
          // Only a process's completion replaces the list (kernel.ts stepOnce): the set of
          // pending processes changes, which footprint() records from the step's report.
          if (!rec.procSet) rec.writes.add('w.procs#keys');
        } else if (typeof value === 'object' && value !== null) {
          // A container replaced: every entry it had or has now is written.
          rec.writes.add(`w.${key}#keys`);
          for (const k of Object.keys(value)) rec.writes.add(`w.${key}.${k}`);
          const old = rec.original.get(key);
          if (old) for (const k of Object.keys(old)) rec.writes.add(`w.${key}.${k}`);
          rec.views.delete(key);
        } else {
          rec.writes.add(`w.${key}`);
        }
        return true;
      },
    }) as World;
  }

  private container(field: string, target: object): object {
    const known = this.views.get(field);
    if (known) return known;
    const rec = this;
    const isArray = Array.isArray(target);
    const entry = (key: string) => {
      const v = (target as Record<string, unknown>)[key];
      if (field === 'procs') {
        const p = v as Proc | undefined;
        if (p) rec.procsTouched.set(p.pid, [p, deepClone(p)]);
        if (p) rec.reads.add(`p.${p.pid}`);
        if (!rec.procSet) rec.reads.add('w.procs#keys');
        return;
      }
      let keys = rec.touched.get(field);
      if (!keys) {
        keys = new Map();
        rec.touched.set(field, keys);
      }
      if (!keys.has(key)) keys.set(key, deepClone(v));
      rec.reads.add(`w.${field}.${key}`);
      if (isArray) rec.reads.add(`w.${field}#keys`);
    };
    // Iterating a container reads every entry.
    const all = () => {
      rec.reads.add(`w.${field}#keys`);
      for (const k of Object.keys(target)) entry(k);
    };
    const view = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') {
          if (Object.hasOwn(t, key) && key !== 'length') entry(key);
          else if (key === 'length') rec.reads.add(`w.${field}#keys`);
          // Removing a completed process (`procs.filter(q => q !== p)`) compares identities
          // only; test/explore-reductions.test.ts checks that it is the only filter of procs.
          else if (key === 'filter' && field === 'procs')
            return (f: (q: Proc) => boolean) => (t as Proc[]).filter(f);
        }
        return Reflect.get(t, key, receiver);
      },
      set(t, key, value) {
        if (typeof key === 'string') {
          if (field === 'procs') {
            const p = value as Proc | undefined;
            if (p && typeof p === 'object' && 'pid' in p) rec.writes.add(`p.${p.pid}`);
            if (!rec.procSet) rec.writes.add('w.procs#keys');
          } else {
            if (!Object.hasOwn(t, key) || key === 'length') rec.writes.add(`w.${field}#keys`);
            if (key !== 'length') rec.writes.add(`w.${field}.${key}`);
          }
        }
        (t as Record<PropertyKey, unknown>)[key] = value;
        return true;
      },
      deleteProperty(t, key) {
        if (typeof key === 'string') {
          rec.writes.add(`w.${field}#keys`);
          rec.writes.add(`w.${field}.${key}`);
        }
        return Reflect.deleteProperty(t, key);
      },
      ownKeys(t) {
        all();
        return Reflect.ownKeys(t);
      },
      has(t, key) {
        if (typeof key === 'string') entry(key);
        return Reflect.has(t, key);
      },
    });
    this.views.set(field, view);
    return view;
  }

  /**
   * The step's footprint, once it is over: `proc` the process it stepped (its own record is
   * written), `created`/`ended` whether the step started or completed it, `prevPid` the
   * process a thread's start waited for, `extra` cells the explorer adds (thread progress).
   */
  footprint(
    proc: number | null,
    created: boolean,
    ended: boolean,
    prevPid: number | null,
    spec: SpecState,
    product: Product,
    visible: boolean,
    extra: readonly string[] = [],
    ignore: readonly string[] = [],
  ): Footprint {
    const reads = new Set(this.reads);
    const writes = new Set(this.writes);
    for (const x of extra) writes.add(x);
    for (const x of ignore) {
      reads.delete(x);
      writes.delete(x);
    }
    const now = this.w as unknown as Record<string, unknown>;
    for (const [field, keys] of this.touched) {
      const b = now[field] as Record<string, unknown> | undefined;
      for (const [k, was] of keys) if (!same(was, b?.[k])) writes.add(`w.${field}.${k}`);
    }
    for (const [pid, [p, was]] of this.procsTouched)
      if (pid !== proc && !same(was, p)) writes.add(`p.${pid}`);
    if (proc !== null) {
      writes.add(`p.${proc}`);
      if ((created || ended) && !this.procSet) writes.add('w.procs#keys');
    }
    if (prevPid !== null) reads.add(`p.${prevPid}`);
    const { events, obs } = this.w.log;
    for (const ev of events) spec_(ev, spec, product, reads, writes);
    for (const o of obs) if ('obj' in o && 'page' in o) writes.add(`g.${o.obj}:${o.page}`);
    for (const x of ignore) writes.delete(x);
    return { reads, writes, visible: visible || obs.length > 0 };
  }
}

function spec_(
  ev: SpecEvent,
  s: SpecState,
  product: Product,
  reads: Set<string>,
  writes: Set<string>,
): void {
  reads.add('s#dir');
  if (DIRECTORY_EVENTS.has(ev.type)) writes.add('s#dir');
  for (const m of product.machines) {
    if (!m.alphabet.includes(ev.type)) continue;
    for (const key of m.route(ev, s.dir)) writes.add(`s.${m.id}:${key}`);
  }
}

/** Deep equality of plain data (the kernel's records). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    if (!same(ra[k], rb[k])) return false;
    n++;
  }
  for (const _ in rb) n--;
  return n === 0;
}
