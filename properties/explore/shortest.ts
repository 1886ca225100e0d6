/**
 * The shortest counterexample, measured as it is written: in trace commands. Breadth-first over
 * commands — start a thread's next operation and run it until it completes or blocks, or start
 * it for one atomic step under a label; `step`, `run … until` (each later phase) and `finish` a
 * pending process — so the first level holding a violating command is the least number of
 * commands any trace needs. Atomic commands alone reach every state; the others are shortcuts a
 * trace may take. The verifying search bounds the depth: its violation, found in d atomic steps,
 * is a trace of at most d commands.
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

export type Target =
  /** A violation; one naming `prefer` wins among those of the least length. */
  { readonly k: 'violation'; readonly prefer: readonly string[] } | { readonly k: 'deadlock' };

export interface ShortestResult {
  readonly commands: readonly Command[];
  /** The violations of the last command (empty for a deadlock). */
  readonly violations: readonly Violation[];
  readonly deadlock: string | null;
  readonly states: number;
  readonly ms: number;
}

interface Hit {
  readonly node: Node;
  readonly violations: readonly Violation[];
  readonly deadlock: string | null;
}

/** Bound on atomic steps one `finish` or plain start may take (as the trace runner's). */
const MAX_RUN = 1000;

/**
 * The search, as a generator that yields now and then (so the caller can show progress and take
 * Ctrl-C) and returns the result: null if nothing within maxDepth commands hits the target.
 */
export function* shortest(
  model: Model,
  start: ExState,
  target: Target,
  maxDepth: number,
  reductions: Reductions,
  renamings: readonly Renaming[],
): Generator<number, ShortestResult | null> {
  const t0 = performance.now();
  const canon = new Canon(reductions, renamings);
  const seen = new FingerprintSet();
  const [a, b] = canon.of(start);
  seen.visit(a, b, 0);
  let level: Node[] = [{ state: start, parent: null, cmd: null }];
  const done = (hit: Hit): ShortestResult => ({
    commands: pathOf(hit.node),
    violations: hit.violations,
    deadlock: hit.deadlock,
    states: seen.size,
    ms: performance.now() - t0,
  });
  if (target.k === 'deadlock') {
    const d = deadlockAt(model, start);
    if (d) return done({ node: level[0] as Node, violations: [], deadlock: d });
  }
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const next: Node[] = [];
    let best: Hit | null = null;
    let n = 0;
    for (const node of level) {
      if ((++n & 7) === 0) yield seen.size;
      const s = node.state;
      node.state = null;
      if (!s) continue;
      for (const [cmd, child, violations] of successors(model, s)) {
        const n: Node = { state: child, parent: node, cmd };
        if (violations) {
          if (target.k !== 'violation') continue;
          const hit = { node: n, violations, deadlock: null };
          if (violations.some((v) => target.prefer.includes(v.invariant))) return done(hit);
          best ??= hit;
          continue;
        }
        const [x, y] = canon.of(child);
        if (!seen.visit(x, y, depth)) continue;
        if (target.k === 'deadlock') {
          const d = deadlockAt(model, child);
          if (d) return done({ node: n, violations: [], deadlock: d });
        }
        next.push(n);
      }
    }
    if (best) return done(best);
    level = next;
  }
  return null;
}

function deadlockAt(model: Model, s: ExState): string | null {
  if (model.moves(s).length > 0 || s.w.procs.length === 0) return null;
  const d = deadlocked(s.w);
  return d ? `${d.label} (${d.op}) waits on ${d.why}` : null;
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
