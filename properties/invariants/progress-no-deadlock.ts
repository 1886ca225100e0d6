import type { Wait, World } from '../../src/world/types.js';
import type { Finding, Invariant } from './types.js';

type Edge =
  | { readonly to: readonly number[] }
  | { readonly user: string }
  | { readonly orphan: string };

/** Whom a wait depends on: pending processes, a user action, or nobody at all. */
export function waitEdge(w: World, wait: Wait): Edge {
  switch (wait.on) {
    case 'lock':
      return wait.holder === null ? { to: [] } : { to: [wait.holder] };
    case 'page':
      return { to: [wait.holder] };
    case 'fence':
      return { to: [wait.holder] };
    case 'proc':
      return { to: [wait.pid] };
    case 'mmap':
      return { to: [...wait.holders] };
    case 'dma':
      return { to: w.dma.filter((d) => wait.ids.includes(d.id)).map((d) => d.by) };
    case 'notifier':
    case 'invalidation': {
      const by = w.mm.ranges.map((r) => r.by);
      return by.length > 0 ? { to: by } : { orphan: 'an invalidation that no process is running' };
    }
    case 'job': {
      if (wait.user) return { user: `imp.complete of ${wait.importer}'s job on ${wait.obj}` };
      const job = w.importers[wait.importer]?.objs[wait.obj]?.job;
      return job ? { to: [job.pid] } : { to: [] };
    }
    case 'device': {
      if (wait.power === 'suspended') return { user: `dev.resume ${wait.device}` };
      if (wait.power === 'hung') return { user: `dev.reset ${wait.device}` };
      // A device event in progress (reset, suspend, unplug): its process moves it on.
      const by = w.devices[wait.device]?.eventBy;
      return by === null || by === undefined
        ? { orphan: `${wait.device} stuck ${wait.power}` }
        : { to: [by] };
    }
    case 'engine':
      return { user: `dev.reset ${wait.device}` };
    case 'unpin':
      return { user: 'imp.unpin' };
    case 'memory':
      return { user: 'freeing memory' };
    case 'complete':
      return { user: `imp.complete of ${wait.importer}'s job on ${wait.obj}` };
  }
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

/** A single waiter can only be in a cycle by waiting on itself. */
function selfLoop(graph: ReadonlyMap<number, readonly number[]>): boolean {
  for (const [pid, to] of graph) if (to.includes(pid)) return true;
  return false;
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
    const procOf = (pid: number) => w.procs.find((p) => p.pid === pid);
    const graph = new Map<number, readonly number[]>();
    for (const [pid, wait] of waits) {
      const e = waitEdge(w, wait);
      if ('user' in e) continue;
      if ('orphan' in e) return { message: `${name(procOf(pid), pid)} waits on ${e.orphan}` };
      for (const to of e.to) {
        if (procOf(to) === undefined) {
          return {
            message: `${name(procOf(pid), pid)} waits on ${describe(wait)}, held by pid ${to}, which is no longer running`,
          } satisfies Finding;
        }
      }
      if (e.to.length > 0) graph.set(pid, e.to);
    }
    if (graph.size < 2 && !selfLoop(graph)) return null;
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
      if (c) {
        const names = c.map((pid) => name(procOf(pid), pid));
        return { message: `processes wait on each other in a cycle: ${names.join(' → ')}` };
      }
    }
    return null;
  },
};
