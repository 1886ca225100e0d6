/**
 * Symmetry: importers (or objects) a scope declares interchangeable. Renaming them — with the
 * pids of the threads that use them and the uids of the objects — maps every run to a run, so
 * explore keeps one state per orbit: the one whose fingerprint is least over all renamings.
 *
 * What a declaration must satisfy, checked here (a bad declaration is bad input):
 *   - every name of a group is an importer id (or an object the setup creates) ending in a digit,
 *     so that it cannot be mistaken for any other word the world holds (the kernel's enums and
 *     phases end in letters);
 *   - importers of a group are configured alike (everything but the id); objects of a group are
 *     created alike (everything but the name);
 *   - renaming maps the workload onto itself: every thread has a counterpart whose operations
 *     are its own renamed.
 * The set-up prefix need not be symmetric: the argument needs only that renaming is an
 * automorphism of the transitions and that every invariant's verdict is unchanged by it.
 */

import type { Renaming } from './fingerprint.js';
import type { ExState, Model } from './model.js';
import { type Scope, ScopeError, type ScopeOp } from './scope.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]*[0-9]$/;

/** At most this many renamings per state (each costs one more fingerprint). */
const MAX_RENAMINGS = 24;

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)]))
      out.push([x, ...rest]);
  });
  return out;
}

function canonicalArgs(args: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    Object.keys(args)
      .sort()
      .map((k) => [k, args[k]]),
  );
}

function renameOp(op: ScopeOp, names: ReadonlyMap<string, string>): string {
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op.args))
    args[k] = typeof v === 'string' ? (names.get(v) ?? v) : v;
  return `${op.op} ${canonicalArgs(args)}`;
}

function threadKey(ops: readonly ScopeOp[], names: ReadonlyMap<string, string>): string {
  return ops.map((o) => renameOp(o, names)).join(' | ');
}

/**
 * The renamings of a scope's declared symmetry (the identity left out). `start` is the state
 * after the setup (object uids are read from it). Throws ScopeError on a bad declaration.
 */
export function symmetryOf(model: Model, start: ExState): Renaming[] {
  const scope: Scope = model.scope;
  if (scope.symmetric.length === 0) return [];
  const importerCfg = new Map(scope.config.importers.map((i) => [i.id, i]));
  const created = new Map<string, string>();
  for (const st of scope.setup) {
    if (st.op !== 'obj.create' || typeof st.args.obj !== 'string') continue;
    const { obj: _name, ...rest } = st.args;
    created.set(st.args.obj, canonicalArgs(rest));
  }
  scope.symmetric.forEach((g, gi) => {
    for (const n of g) {
      if (!NAME.test(n))
        throw new ScopeError(
          `symmetric[${gi}]: "${n}" must be a letter, then letters, digits, _ or -, ending in a digit`,
        );
    }
    const isImporters = g.every((n) => importerCfg.has(n));
    if (isImporters) {
      const shape = (n: string) => JSON.stringify({ ...importerCfg.get(n), id: '' });
      const first = shape(g[0] ?? '');
      const odd = g.find((n) => shape(n) !== first);
      if (odd) throw new ScopeError(`symmetric[${gi}]: "${odd}" is configured unlike "${g[0]}"`);
    } else {
      for (const n of g) {
        if (!created.has(n))
          throw new ScopeError(`symmetric[${gi}]: object "${n}" is not created by the setup`);
      }
      const odd = g.find((n) => created.get(n) !== created.get(g[0] ?? ''));
      if (odd) throw new ScopeError(`symmetric[${gi}]: "${odd}" is created unlike "${g[0]}"`);
    }
  });
  // Every combination of one permutation per group.
  let combos: Map<string, string>[] = [new Map()];
  for (const g of scope.symmetric) {
    const next: Map<string, string>[] = [];
    for (const perm of permutations(g)) {
      for (const c of combos) {
        const m = new Map(c);
        g.forEach((n, i) => {
          const to = perm[i] ?? n;
          if (to !== n) m.set(n, to);
        });
        next.push(m);
      }
    }
    combos = next;
    if (combos.length > MAX_RENAMINGS)
      throw new ScopeError(
        `symmetric: ${combos.length} renamings per state is too many (at most ${MAX_RENAMINGS})`,
      );
  }
  const out: Renaming[] = [];
  const keys = scope.threads.map((t) => threadKey(t.ops, new Map()));
  for (const names of combos) {
    if (names.size === 0) continue;
    // Thread t is renamed to the thread whose operations are its own renamed.
    const tau: number[] = [];
    const taken = new Set<number>();
    scope.threads.forEach((t, ti) => {
      const want = threadKey(t.ops, names);
      const to = keys.findIndex((k, j) => k === want && !taken.has(j));
      if (to < 0) {
        const pair = [...names].map(([a, b]) => `${a}→${b}`).join(', ');
        throw new ScopeError(
          `symmetric: renaming ${pair} does not map the workload onto itself (thread "${t.name}" has no counterpart)`,
        );
      }
      taken.add(to);
      tau[ti] = to;
    });
    const numbers = new Map<number, number>();
    scope.threads.forEach((t, ti) => {
      const to = tau[ti] ?? ti;
      for (let k = 0; k < t.ops.length; k++) {
        const a = model.pidOf(ti, k);
        const b = model.pidOf(to, k);
        if (a !== b) numbers.set(a, b);
      }
    });
    const allNames = new Map(names);
    for (const [a, b] of names) {
      const oa = start.w.objects[a];
      const ob = start.w.objects[b];
      if (oa && ob) {
        numbers.set(oa.uid, ob.uid);
        allNames.set(oa.key, ob.key);
      }
    }
    // threads[i] is the thread whose progress the renamed state shows at position i.
    const inverse: number[] = [];
    tau.forEach((to, from) => {
      inverse[to] = from;
    });
    out.push({ names: allNames, numbers, threads: inverse });
  }
  return out;
}
