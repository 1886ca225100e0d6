/**
 * A run of the simulated kernel under observation: after every atomic step the specification
 * takes the step's events and every invariant is checked. The first violating step ends the
 * run; every invariant it violates is reported.
 */
import type { Change, Product, Refusal, SpecState } from '../models/product.js';
import { createSpec } from '../models/spec.js';
import { beginStep, type StepReport, spawn, stepOnce, waitOf } from '../src/exec/kernel.js';
import type { Config } from '../src/world/config.js';
import { createWorld } from '../src/world/create.js';
import type { Observation, OpResult, Proc, Wait, World } from '../src/world/types.js';
import { Ghost } from './ghost.js';
import { InvalidationWatch } from './invalidation-watch.js';
import { importerObjs } from './invariants/backing.js';
import { INVARIANTS } from './invariants/index.js';
import type { CheckCtx, Finding } from './invariants/types.js';
import { WorldIndex } from './world-index.js';

export interface Violation extends Finding {
  readonly invariant: string;
  readonly statement: string;
}

export interface AtomicStep {
  readonly label: string;
  readonly op: string;
  readonly report: StepReport;
  readonly changes: readonly Change[];
  readonly violations: readonly Violation[];
}

let sharedProduct: Product | null = null;

/** One product (and its transition cache) serves every session of the process. */
export function defaultProduct(): Product {
  sharedProduct ??= createSpec();
  return sharedProduct;
}

/** Everything a session's checks read: what explore copies, fingerprints and resumes from. */
export interface SessionState {
  readonly w: World;
  readonly spec: SpecState;
  readonly ghost: Ghost;
  readonly watch: InvalidationWatch;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class Session {
  readonly w: World;
  readonly spec: SpecState;
  readonly ghost: Ghost;
  readonly watch: InvalidationWatch;
  private readonly worldIndex: WorldIndex;
  atomicSteps = 0;
  violations: readonly Violation[] | null = null;
  private readonly waitMap = new Map<number, Wait>();
  private indexBuilt = false;
  /** What the invariants see, refilled after every step. */
  private readonly ctx: Mutable<CheckCtx>;
  /** Atomic steps taken since the last call to takeLog (for step-by-step output). */
  private pendingLog: AtomicStep[] = [];
  keepLog = false;
  /** The world the kernel is handed for a step, if not this.w (explore records footprints). */
  kernelView: World | null = null;

  constructor(
    config: Config,
    faults: readonly string[],
    readonly product: Product = defaultProduct(),
    /** Continue from this state (its parts are used as they are, not copied). */
    from?: SessionState,
  ) {
    this.w = from?.w ?? createWorld(config, faults);
    this.spec = from?.spec ?? product.initialState();
    this.ghost = from?.ghost ?? new Ghost();
    this.watch = from?.watch ?? new InvalidationWatch();
    this.worldIndex = new WorldIndex(this.w);
    this.ctx = {
      w: this.w,
      obs: [],
      ghost: this.ghost,
      watch: this.watch,
      waits: this.waitMap,
      oops: null,
      finished: null,
      refusal: null,
      imps: [],
      index: () => this.index(),
    };
  }

  /** What each blocked pending process waits for, as of the last step. */
  get waits(): ReadonlyMap<number, Wait> {
    return this.waitMap;
  }

  /** A session that continues from a state explore saved (see properties/explore/). */
  static resume(from: SessionState, product: Product = defaultProduct()): Session {
    return new Session(from.w.config, [], product, from);
  }

  takeLog(): AtomicStep[] {
    const l = this.pendingLog;
    this.pendingLog = [];
    return l;
  }

  /** Validate and spawn an operation; no step is taken. */
  spawn(
    op: string,
    args: Readonly<Record<string, unknown>>,
    label: string,
  ): { proc: Proc } | { result: OpResult } {
    try {
      beginStep(this.w);
      return spawn(this.kernelView ?? this.w, op, args, label);
    } catch (e) {
      this.conclude(label, op, {
        kind: 'oops',
        message: e instanceof Error ? e.message : String(e),
      });
      return { result: { ok: false, error: 'EINVAL' } };
    }
  }

  /** One atomic step of a pending process, checked. */
  step(p: Proc): StepReport {
    beginStep(this.w);
    const report = stepOnce(this.kernelView ?? this.w, p);
    this.watch.note(this.w, p.pid, report.kind === 'blocked');
    this.conclude(p.label, p.op, report, report.kind === 'done' ? p : null);
    return report;
  }

  /** Check the step just taken: conformance, then every invariant. */
  private conclude(
    label: string,
    op: string,
    report: StepReport,
    finished: Proc | null = null,
  ): void {
    this.atomicSteps += 1;
    const { events, obs } = this.w.log;
    const changes: Change[] | null = this.keepLog ? [] : null;
    let refusal: Refusal | null = null;
    for (const ev of events) {
      const r = this.product.step(this.spec, ev, this.keepLog);
      if (!r.ok) {
        refusal = r.refusal;
        break;
      }
      if (changes && r.changes.length > 0) changes.push(...r.changes);
    }
    const waits = this.waitMap;
    waits.clear();
    if (report.kind !== 'oops') {
      for (const p of this.w.procs) {
        const wait = safeWait(this.w, p);
        if (wait) waits.set(p.pid, wait);
      }
    }
    const oops = report.kind === 'oops' ? report.message : null;
    let found: Violation[] | null = null;
    const ctx = this.ctx;
    ctx.obs = obs;
    ctx.oops = oops;
    ctx.finished = finished;
    ctx.refusal = refusal;
    ctx.imps = importerObjs(this.w, ctx.imps);
    this.indexBuilt = false;
    for (const inv of INVARIANTS) {
      const f = oops !== null && inv.name !== 'Kernel.NoOops' ? null : inv.check(ctx);
      if (!f) continue;
      found ??= [];
      found.push({ ...f, invariant: inv.name, statement: inv.statement });
    }
    this.updateGhost(obs);
    if (found !== null && this.violations === null) this.violations = found;
    if (changes) this.pendingLog.push({ label, op, report, changes, violations: found ?? [] });
  }

  /** The shared index, built at most once per step (on first use). */
  private index(): WorldIndex {
    if (!this.indexBuilt) this.worldIndex.build(this.w, this.ctx.imps);
    this.indexBuilt = true;
    return this.worldIndex;
  }

  private updateGhost(obs: readonly Observation[]): void {
    if (obs.length === 0) return;
    this.ghost.apply(obs, (obj) => this.w.objects[obj]?.uid);
  }
}

function safeWait(w: World, p: Proc): Wait | null {
  try {
    return waitOf(w, p);
  } catch {
    return null;
  }
}
