/**
 * The shortest counterexample, measured as it is written: in trace commands. Breadth-first over
 * commands — start a thread's next operation and run it until it completes or blocks, or start
 * it for one atomic step under a label; `step`, `run … until` (each later phase) and `finish` a
 * pending process — so the first level holding a violating command is the least number of
 * commands any trace needs. Atomic commands alone reach every state; the others are shortcuts a
 * trace may take. A violation the depth-first search found in d atomic steps is a trace of at
 * most d commands, which bounds the levels; run for 150 states before that search, it
 * finds shallow violations at once and proves small scopes by itself (explore.ts).
 */
import { phasesOf } from '../../src/exec/kernel.js';
import type { Proc } from '../../src/world/types.js';
import type { Violation } from '../session.js';
import type { Renaming } from './fingerprint.js';
import { FingerprintSet } from './fingerprint-set.js';
import { deadlocked, type ExState, type Model, safeWait } from './model.js';
import { Canon, type Reductions } from './search.js';

export type Command =
  | { readonly k: 'start'; readonly t: number; readonly labelled: boolean }
  | { readonly k: 'step' | 'finish'; readonly pid: number }
  | { readonly k: 'run'; readonly pid: number; readonly until: string };

interface Node {
  state: ExState | null;
  readonly parent: Node | null;
  readonly cmd: Command | null;
}

export interface ShortestResult {
  readonly commands: readonly Command[];
  /** The violations of the last command (empty for a deadlock). */
  readonly violations: readonly Violation[];
  readonly deadlock: string | null;
}

/** Where a breadth-first run stopped. */
export type Stop =
  | { readonly k: 'found'; readonly result: ShortestResult }
  /** Every reachable state searched, no violation, no deadlock. */
  | { readonly k: 'exhausted' }
  /** Every state within `limit` commands searched, nothing found; deeper ones are left. */
  | { readonly k: 'limit' };

interface Hit {
  readonly node: Node;
  readonly violations: readonly Violation[];
  readonly deadlock: string | null;
}

/** Bound on atomic steps one `finish` or plain start may take (as the trace runner's). */
const MAX_RUN = 1000;

/**
 * The search, level by level. `run` works until a budget of states or time is spent and can be
 * called again to go on (the command line shows progress between calls); `limit` (the number of
 * commands) may be lowered between calls. A violation naming one of `prefer` wins over others
 * of the same length; a state where nothing can move and some process is stuck for good (a
 * deadlock) is a hit too.
 */
export class BreadthFirst {
  /** Commands: levels deeper than this are not searched. */
  limit = Number.POSITIVE_INFINITY;
  /** States seen; commands tried; levels completed; milliseconds spent. */
  states = 0;
  transitions = 0;
  depth = 0;
  ms = 0;
  terminal = 0;
  waitingForUser = 0;
  private readonly canon: Canon;
  private readonly seen = new FingerprintSet();
  private level: Node[];
  private next: Node[] = [];
  private index = 0;
  private best: Hit | null = null;
  private stop: Stop | null = null;

  constructor(
    private readonly model: Model,
    start: ExState,
    private readonly prefer: readonly string[],
    reductions: Reductions,
    renamings: readonly Renaming[],
  ) {
    this.canon = new Canon(reductions, renamings);
    const [a, b] = this.canon.of(start);
    this.seen.visit(a, b, 0);
    this.states = 1;
    const root: Node = { state: start, parent: null, cmd: null };
    this.level = [root];
    const d = this.deadlockAt(start);
    if (d) this.stop = { k: 'found', result: { commands: [], violations: [], deadlock: d } };
  }

  /** Search until `maxStates` states are seen or the clock passes `until`; null: not done. */
  run(maxStates: number, until: number): Stop | null {
    if (this.stop) return this.stop;
    const t0 = performance.now();
    try {
      let n = 0;
      for (;;) {
        if (this.index >= this.level.length) {
          if (this.best) return this.finish(this.found(this.best));
          if (this.next.length === 0) return this.finish({ k: 'exhausted' });
          this.depth += 1;
          this.level = this.next;
          this.next = [];
          this.index = 0;
        }
        if (this.depth + 1 > this.limit) return { k: 'limit' };
        if (this.states >= maxStates) return null;
        if ((++n & 7) === 0 && performance.now() > until) return null;
        const node = this.level[this.index] as Node;
        this.index += 1;
        const hit = this.expand(node);
        if (hit) return this.finish(this.found(hit));
      }
    } finally {
      this.ms += performance.now() - t0;
    }
  }

  private finish(stop: Stop): Stop {
    this.stop = stop;
    return stop;
  }

  private found(hit: Hit): Stop {
    return {
      k: 'found',
      result: { commands: pathOf(hit.node), violations: hit.violations, deadlock: hit.deadlock },
    };
  }

  /** The node's successors; a hit naming a preferred invariant (or a deadlock) ends the search. */
  private expand(node: Node): Hit | null {
    const s = node.state;
    node.state = null;
    if (!s) return null;
    const depth = this.depth + 1;
    let any = false;
    for (const [cmd, child, violations] of successors(this.model, s)) {
      any = true;
      this.transitions += 1;
      const n: Node = { state: child, parent: node, cmd };
      if (violations) {
        const hit = { node: n, violations, deadlock: null };
        if (violations.some((v) => this.prefer.includes(v.invariant))) return hit;
        this.best ??= hit;
        continue;
      }
      const [x, y] = this.canon.of(child);
      if (!this.seen.visit(x, y, depth)) continue;
      this.states = this.seen.size;
      const d = this.deadlockAt(child);
      if (d) return { node: n, violations: [], deadlock: d };
      this.next.push(n);
    }
    if (!any) {
      if (s.w.procs.length === 0) this.terminal += 1;
      else this.waitingForUser += 1;
    }
    return null;
  }

  private deadlockAt(s: ExState): string | null {
    if (this.model.moves(s).length > 0 || s.w.procs.length === 0) return null;
    const d = deadlocked(s.w);
    return d ? `${d.label} (${d.op}) waits on ${d.why}` : null;
  }
}

function pathOf(node: Node): Command[] {
  const out: Command[] = [];
  for (let n: Node | null = node; n?.cmd; n = n.parent) out.push(n.cmd);
  return out.reverse();
}

type Succ = [Command, ExState, readonly Violation[] | null];

/** Every command's outcome from s: the resulting state and the violations it hit, if any. */
function* successors(model: Model, s: ExState): Generator<Succ> {
  for (const p of s.w.procs) {
    if (safeWait(s.w, p) !== null) continue;
    yield* schedules(model, s, p.pid);
  }
  for (let t = 0; t < model.scope.threads.length; t++) {
    if (!model.canStart(s, t)) continue;
    // Run to completion (or until it blocks).
    const c = model.copy(s);
    const session = model.session(c);
    const p = model.spawn(session, c, t);
    if (p) runToEnd(session, p);
    yield [{ k: 'start', t, labelled: false }, c, session.violations];
    if (!p) continue;
    // One atomic step under a label.
    const c1 = model.copy(s);
    const v1 = model.apply(c1, { k: 'start', t });
    yield [{ k: 'start', t, labelled: true }, c1, v1];
  }
}

/** `step`, `run … until` each later phase, and `finish` of one runnable process. */
function* schedules(model: Model, s: ExState, pid: number): Generator<Succ> {
  const c = model.copy(s);
  const session = model.session(c);
  const p = c.w.procs.find((x) => x.pid === pid);
  if (!p) return;
  const phases = phasesOf(p);
  const report = session.step(p);
  const ended = () =>
    session.violations !== null || !c.w.procs.includes(p) || report.kind !== 'progress';
  if (ended()) {
    yield [{ k: 'step', pid }, c, session.violations];
    return;
  }
  yield [{ k: 'step', pid }, model.copy(c), null];
  // Keep going: stop at each later phase (run … until), then at the end (finish).
  let reached = phases.indexOf(model.phase(c, p));
  for (let i = 0; i < MAX_RUN; i++) {
    const ph = phases.indexOf(model.phase(c, p));
    if (ph > reached) {
      // Every phase in (reached, ph] ends here: name the one the process is about to enter.
      reached = ph;
      const name = phases[ph];
      if (name !== undefined) yield [{ k: 'run', pid, until: name }, model.copy(c), null];
    }
    const r = session.step(p);
    if (session.violations) {
      yield [{ k: 'finish', pid }, c, session.violations];
      return;
    }
    if (r.kind !== 'progress' || !c.w.procs.includes(p)) break;
  }
  yield [{ k: 'finish', pid }, c, null];
}

function runToEnd(session: ReturnType<Model['session']>, p: Proc): void {
  for (let i = 0; i < MAX_RUN; i++) {
    const r = session.step(p);
    if (session.violations || r.kind !== 'progress') return;
  }
}
