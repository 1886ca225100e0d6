import type { Proc, Wait, World } from '../../src/world/types.js';
import type { Finding, Invariant } from './types.js';

type Edge =
  | { readonly to: readonly number[] }
  | { readonly user: string }
  | { readonly orphan: string };

/** Whom a wait depends on: pending processes, a user action, or nobody at all. */
export function waitEdge(w: World, wait: Wait): Edge {
  count = 0;
  const k = targetsOf(w, wait);
  if (k === 'to') return { to: Array.from(targets.subarray(0, count)) };
  return k === 'user' ? { user: userAction(wait) } : { orphan: orphanWhy(wait) };
}

/** The user action a wait that targetsOf calls 'user' waits for. */
function userAction(wait: Wait): string {
  switch (wait.on) {
    case 'job':
    case 'complete':
      return `imp.complete of ${wait.importer}'s job on ${wait.obj}`;
    case 'device':
      return wait.power === 'suspended' ? `dev.resume ${wait.device}` : `dev.reset ${wait.device}`;
    case 'engine':
      return `dev.reset ${wait.device}`;
    case 'unpin':
      return 'imp.unpin';
    case 'memory':
      return 'freeing memory';
    default:
      return wait.on;
  }
}

/** What a wait that targetsOf calls 'orphan' waits on, which nothing will end. */
function orphanWhy(wait: Wait): string {
  if (wait.on === 'device') return `${wait.device} stuck ${wait.power}`;
  return 'an invalidation that no process is running';
}

/**
 * The per-step path allocates nothing: the pids each wait depends on go into one flat scratch
 * array (`targets`), each waiter's slice of it starting at `from[i]`.
 */
let targets = new Int32Array(64);
let count = 0;
let waiterPid = new Int32Array(16);
let from = new Int32Array(17);
let color = new Uint8Array(16);
let waiters = 0;

function push(pid: number): void {
  if (count === targets.length) {
    const t = new Int32Array(count * 2);
    t.set(targets);
    targets = t;
  }
  targets[count++] = pid;
}

/** waitEdge into `targets`: 'user' or 'orphan' when the wait depends on no process. */
function targetsOf(w: World, wait: Wait): 'to' | 'user' | 'orphan' {
  switch (wait.on) {
    case 'lock':
      if (wait.holder !== null) push(wait.holder);
      return 'to';
    case 'page':
    case 'fence':
      push(wait.holder);
      return 'to';
    case 'proc':
      push(wait.pid);
      return 'to';
    case 'mmap':
      for (const h of wait.holders) push(h);
      return 'to';
    case 'dma':
      for (const d of w.dma) if (wait.ids.includes(d.id)) push(d.by);
      return 'to';
    case 'notifier':
    case 'invalidation':
      if (w.mm.ranges.length === 0) return 'orphan';
      for (const r of w.mm.ranges) push(r.by);
      return 'to';
    case 'job': {
      if (wait.user) return 'user';
      const job = w.importers[wait.importer]?.objs[wait.obj]?.job;
      if (job) push(job.pid);
      return 'to';
    }
    case 'device': {
      if (wait.power === 'suspended' || wait.power === 'hung') return 'user';
      const by = w.devices[wait.device]?.eventBy;
      if (by === null || by === undefined) return 'orphan';
      push(by);
      return 'to';
    }
    case 'engine':
    case 'unpin':
    case 'memory':
    case 'complete':
      return 'user';
  }
}

function addWaiter(pid: number, start: number): void {
  if (waiters + 1 >= from.length) {
    const n = from.length * 2;
    const p = new Int32Array(n);
    p.set(waiterPid);
    waiterPid = p;
    const f = new Int32Array(n + 1);
    f.set(from);
    from = f;
    color = new Uint8Array(n);
  }
  waiterPid[waiters] = pid;
  from[waiters] = start;
  waiters += 1;
  from[waiters] = count;
}

function waiterIndex(pid: number): number {
  for (let i = 0; i < waiters; i++) if (waiterPid[i] === pid) return i;
  return -1;
}

/** Whether a cycle runs through waiter i (depth-first, colours 1: on the path, 2: done). */
function cycleThrough(i: number): boolean {
  color[i] = 1;
  const end = from[i + 1] ?? 0;
  for (let k = from[i] ?? 0; k < end; k++) {
    const j = waiterIndex(targets[k] ?? -1);
    if (j < 0) continue;
    if (color[j] === 1) return true;
    if (color[j] === 0 && cycleThrough(j)) return true;
  }
  color[i] = 2;
  return false;
}

function running(w: World, pid: number): boolean {
  for (const p of w.procs) if (p.pid === pid) return true;
  return false;
}

function procOf(w: World, pid: number): Proc | undefined {
  return w.procs.find((p) => p.pid === pid);
}

/** The cycle to report (found again with paths, off the per-step path). */
function cycleOf(w: World, waits: ReadonlyMap<number, Wait>): number[] | null {
  const graph = new Map<number, readonly number[]>();
  for (const [pid, wait] of waits) {
    const e = waitEdge(w, wait);
    if ('to' in e && e.to.length > 0) graph.set(pid, e.to);
  }
  const state = new Map<number, 1 | 2>();
  const cycleFrom = (n: number, path: number[]): number[] | null => {
    state.set(n, 1);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...path, n, m];
      if (!state.has(m) && graph.has(m)) {
        const c = cycleFrom(m, [...path, n]);
        if (c) return c;
      }
    }
    state.set(n, 2);
    return null;
  };
  for (const n of graph.keys()) {
    if (state.has(n)) continue;
    const c = cycleFrom(n, []);
    if (c) return c;
  }
  return null;
}

function describe(wait: Wait): string {
  switch (wait.on) {
    case 'lock':
      return `lock ${wait.lock}`;
    case 'page':
      return `page ${wait.obj}[${wait.page}]`;
    default:
      return wait.on;
  }
}

/** A process as the trace names it (its label) and as the kernel does (its pid): they differ. */
function name(p: { readonly label: string; readonly op: string } | undefined, pid: number): string {
  return p === undefined ? `pid ${pid}` : `${p.label} (${p.op}, pid ${pid})`;
}

export const progressNoDeadlock: Invariant = {
  name: 'Progress.NoDeadlock',
  statement:
    'no pending processes wait on each other in a cycle, and none waits on a lock that no pending process holds; waiting for a user action (reset, resume, unpin) is not a deadlock',
  check({ w, waits }) {
    if (waits.size === 0) return null;
    count = 0;
    waiters = 0;
    for (const pid of waits.keys()) {
      const wait = waits.get(pid);
      if (wait === undefined) continue;
      const start = count;
      const k = targetsOf(w, wait);
      if (k === 'user') continue;
      if (k === 'orphan')
        return { message: `${name(procOf(w, pid), pid)} waits on ${orphanWhy(wait)}` };
      for (let i = start; i < count; i++) {
        const to = targets[i] ?? -1;
        if (!running(w, to)) {
          return {
            message: `${name(procOf(w, pid), pid)} waits on ${describe(wait)}, held by pid ${to}, which is no longer running`,
          } satisfies Finding;
        }
      }
      if (count > start) addWaiter(pid, start);
    }
    if (waiters === 0) return null;
    color.fill(0, 0, waiters);
    let cyclic = false;
    for (let i = 0; i < waiters && !cyclic; i++) if (color[i] === 0) cyclic = cycleThrough(i);
    if (!cyclic) return null;
    const c = cycleOf(w, waits);
    if (!c) return null;
    const names = c.map((pid) => name(procOf(w, pid), pid));
    return { message: `processes wait on each other in a cycle: ${names.join(' → ')}` };
  },
};
