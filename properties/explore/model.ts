/**
 * The transition system explore searches: a state is a session's parts (world, specification,
 * ghost) plus how far each workload thread has got; a transition is one atomic step — start a
 * thread's next operation (spawn it and take its first step, as a trace step with `start` does)
 * or step a runnable pending process. Every transition is checked as `check` and `replay` check
 * a step: conformance, then every invariant.
 */
import { cloneSpecState } from '../../models/product.js';
import { phaseOf, type StepReport, waitOf } from '../../src/exec/kernel.js';
import type { Proc, Wait, World } from '../../src/world/types.js';
import { waitEdge } from '../invariants/progress-no-deadlock.js';
import { Session, type SessionState, type Violation } from '../session.js';
import { TraceRunner } from '../trace/runner.js';
import { deepClone } from './clone.js';
import type { StateParts } from './fingerprint.js';
import { type Footprint, Recorder } from './footprint.js';
import { ID_BASE, PID_BASE, type Scope, UID_BASE } from './scope.js';

export interface ExState extends StateParts {
  readonly started: number[];
  /**
   * What each blocked process waits for, as the session found after the step that made this
   * state (null: not known, ask the kernel). Derived from the world; not part of the state.
   */
  waits: ReadonlyMap<number, Wait> | null;
}

/** A transition: start thread t's next operation, or step the process with this pid. */
export type Move =
  | { readonly k: 'start'; readonly t: number }
  | { readonly k: 'step'; readonly pid: number };

export class Model {
  /** Global index of each thread's first operation (pids are PID_BASE + index). */
  private readonly base: number[] = [];
  private readonly totalOps: number;

  constructor(
    readonly scope: Scope,
    readonly faults: readonly string[],
  ) {
    let n = 0;
    for (const t of scope.threads) {
      this.base.push(n);
      n += t.ops.length;
    }
    this.totalOps = n;
  }

  /** Moves a sleep set may name: starts (one per thread) and steps (one per operation). */
  get moveCount(): number {
    return this.scope.threads.length + this.totalOps + this.scope.setup.length;
  }

  /** A move's index among moveCount: starts by thread, then steps by operation, then setup. */
  moveIndex(m: Move): number {
    const threads = this.scope.threads.length;
    if (m.k === 'start') return m.t;
    if (m.pid >= PID_BASE) return threads + (m.pid - PID_BASE);
    return threads + this.totalOps + (m.pid - 1);
  }

  /** The pid explore gives thread t's operation k: the same whatever order things start in. */
  pidOf(t: number, k: number): number {
    return PID_BASE + (this.base[t] ?? 0) + k;
  }

  /** Which thread operation a pid belongs to, or null (a process the setup left pending). */
  opOfPid(pid: number): { t: number; k: number } | null {
    if (pid < PID_BASE) return null;
    const i = pid - PID_BASE;
    for (let t = this.base.length - 1; t >= 0; t--) {
      const b = this.base[t] ?? 0;
      if (i >= b) return { t, k: i - b };
    }
    return null;
  }

  /** Run the setup prefix. Its violations, if any, are the scope's shortest counterexample. */
  initial(): { state: ExState; violations: readonly Violation[] | null; setupFail: number | null } {
    const s = new Session(this.scope.config, this.faults);
    // Object uids come from a reserved range, so that symmetry can tell them from other numbers.
    s.w.nextUid = UID_BASE + 1;
    // Likewise ids (the `ids` reduction renames them by rank; only their order and equality
    // matter, so starting elsewhere changes no behaviour).
    s.w.nextId = ID_BASE + 1;
    const runner = new TraceRunner(s);
    let setupFail: number | null = null;
    for (let i = 0; i < this.scope.setup.length; i++) {
      const step = this.scope.setup[i];
      if (!step) continue;
      runner.exec(step, i);
      if (s.violations) {
        setupFail = i;
        break;
      }
    }
    const state: ExState = {
      w: s.w,
      spec: s.spec,
      ghost: s.ghost,
      watch: s.watch,
      started: this.scope.threads.map(() => 0),
      waits: null,
    };
    return { state, violations: s.violations, setupFail };
  }

  /** Whether thread t's last started operation is still running. */
  busy(s: ExState, t: number): boolean {
    const k = s.started[t] ?? 0;
    if (k === 0) return false;
    const pid = this.pidOf(t, k - 1);
    return s.w.procs.some((p) => p.pid === pid);
  }

  canStart(s: ExState, t: number): boolean {
    const thread = this.scope.threads[t];
    return thread !== undefined && (s.started[t] ?? 0) < thread.ops.length && !this.busy(s, t);
  }

  /** The enabled transitions: runnable processes (in `procs` order), then startable threads. */
  moves(s: ExState): Move[] {
    const out: Move[] = [];
    const waits = s.waits;
    for (const p of s.w.procs) {
      const blocked = waits ? waits.has(p.pid) : safeWait(s.w, p) !== null;
      if (!blocked) out.push({ k: 'step', pid: p.pid });
    }
    for (let t = 0; t < this.scope.threads.length; t++)
      if (this.canStart(s, t)) out.push({ k: 'start', t });
    return out;
  }

  /** A copy of a state to step on. */
  copy(s: ExState): ExState {
    return { ...copyParts(s), started: [...s.started], waits: null };
  }

  /** A session on a state (the state is changed by what the session does). */
  session(s: ExState): Session {
    s.waits = null;
    return Session.resume(s);
  }

  /** Spawn thread t's next operation in a session on s; null if it failed validation. */
  spawn(session: Session, s: ExState, t: number): Proc | null {
    const k = s.started[t] ?? 0;
    const op = this.scope.threads[t]?.ops[k];
    if (!op) throw new Error(`thread ${t} has no operation ${k}`);
    s.started[t] = k + 1;
    session.w.nextPid = this.pidOf(t, k);
    const r = session.spawn(op.op, op.args, this.labelOf(t, k));
    return 'proc' in r ? r.proc : null;
  }

  /** Take a transition on s in place. */
  apply(s: ExState, m: Move): readonly Violation[] | null {
    const session = this.session(s);
    let report: StepReport | null = null;
    if (m.k === 'start') {
      const p = this.spawn(session, s, m.t);
      if (p) report = session.step(p);
    } else {
      const p = s.w.procs.find((x) => x.pid === m.pid);
      if (!p) throw new Error(`no process ${m.pid}`);
      report = session.step(p);
    }
    // The session found which processes are blocked after the step: the next moves need that.
    if (report && report.kind !== 'oops') s.waits = new Map(session.waits);
    return session.violations;
  }

  /**
   * Take a transition on s in place, recording its footprint (for partial-order reduction):
   * what the kernel read and changed, the specification instances and observed pages it reached.
   */
  applyRecorded(
    s: ExState,
    m: Move,
    procSet: boolean,
    counters: boolean,
  ): { violations: readonly Violation[] | null; footprint: Footprint } {
    const session = this.session(s);
    const rec = new Recorder(s.w, procSet);
    session.kernelView = rec.view;
    let report: StepReport | null = null;
    let pid: number | null = null;
    let prev: number | null = null;
    const extra: string[] = [];
    if (m.k === 'start') {
      const k = s.started[m.t] ?? 0;
      if (k > 0) prev = this.pidOf(m.t, k - 1);
      extra.push(`t.${m.t}`);
      const p = this.spawn(session, s, m.t);
      if (p) {
        pid = p.pid;
        report = session.step(p);
      }
    } else {
      const p = s.w.procs.find((x) => x.pid === m.pid);
      if (!p) throw new Error(`no process ${m.pid}`);
      pid = p.pid;
      report = session.step(p);
    }
    if (report && report.kind !== 'oops') s.waits = new Map(session.waits);
    const violations = session.violations;
    const footprint = rec.footprint(
      pid,
      m.k === 'start' && pid !== null,
      report?.kind === 'done',
      prev,
      s.spec,
      session.product,
      violations !== null || report?.kind === 'oops',
      extra,
      // explore sets nextPid before each start (spawn): with the counters left out of the
      // state, starting one thread's operation does not depend on starting another's.
      counters ? ['w.nextPid'] : [],
    );
    return { violations, footprint };
  }

  /** The label a thread's operation has in a trace. */
  labelOf(t: number, k: number): string {
    const thread = this.scope.threads[t];
    if (!thread) return `t${t}.${k + 1}`;
    return thread.ops.length === 1 ? thread.name : `${thread.name}.${k + 1}`;
  }

  phase(s: ExState, p: Proc): string {
    return phaseOf(s.w, p);
  }
}

/** A copy of a session's state: world, specification and ghost. */
export function copyParts(s: SessionState): SessionState {
  return {
    w: copyWorld(s.w),
    spec: cloneSpecState(s.spec),
    ghost: deepClone(s.ghost),
    watch: deepClone(s.watch),
  };
}

/** The world's copy: everything but what never changes during a run. */
function copyWorld(w: World): World {
  const out = {} as Record<string, unknown>;
  const src = w as unknown as Record<string, unknown>;
  for (const k in src) {
    if (k === 'config' || k === 'faults' || k === 'pools') out[k] = src[k];
    else if (k === 'log') out[k] = { events: [], obs: [] };
    else out[k] = deepClone(src[k]);
  }
  return out as unknown as World;
}

export function safeWait(w: World, p: Proc): Wait | null {
  try {
    return waitOf(w, p);
  } catch {
    // A plan that throws is the kernel's oops: stepping it reports Kernel.NoOops.
    return null;
  }
}

/**
 * Whether a state where nothing can move is a deadlock: some pending process waits, directly
 * or through others, on something that is not a user action (reset, resume, unpin, complete,
 * freeing memory) the workload could still perform. Waiting for a user action the workload
 * does not contain is where the scope ends, not a deadlock.
 */
export function deadlocked(
  w: World,
): { pid: number; label: string; op: string; why: string } | null {
  const pending = new Map(w.procs.map((p) => [p.pid, p]));
  const userBound = new Map<number, boolean>();
  const waitsOnUser = (pid: number, seen: Set<number>): boolean => {
    const known = userBound.get(pid);
    if (known !== undefined) return known;
    const p = pending.get(pid);
    if (!p || seen.has(pid)) return false;
    seen.add(pid);
    const wait = safeWait(w, p);
    let ok = false;
    if (wait) {
      const e = waitEdge(w, wait);
      if ('user' in e) ok = true;
      else if ('to' in e) ok = e.to.length > 0 && e.to.every((q) => waitsOnUser(q, seen));
    }
    userBound.set(pid, ok);
    return ok;
  };
  for (const p of w.procs) {
    if (!waitsOnUser(p.pid, new Set())) {
      const wait = safeWait(w, p);
      return { pid: p.pid, label: p.label, op: p.op, why: wait ? wait.on : 'nothing' };
    }
  }
  return null;
}
