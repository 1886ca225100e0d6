/**
 * `devmem-model explore SCOPE`: every interleaving of a scope's bounded workload, every state
 * checked; a complete search proves the scope, a violation comes back as the shortest trace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pickTarget } from '../../properties/check/check.js';
import { Exploration, type ExploreResult } from '../../properties/explore/explore.js';
import { loadScope, ScopeError } from '../../properties/explore/scope.js';
import {
  ALL_REDUCTIONS,
  type Bounds,
  type Cut,
  DEFAULT_REDUCTIONS,
  REDUCTION_NAMES,
  type Reductions,
  type Stats,
} from '../../properties/explore/search.js';
import { traceText } from '../../properties/trace/write.js';
import { parseFaults } from './check.js';
import { configText, thousands } from './format.js';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from './io.js';

/** Exit status after Ctrl-C (128 + SIGINT), as a shell reports a process killed by it. */
export const EXIT_INTERRUPTED = 130;

/** Progress is redrawn this often on a terminal; off a terminal a heartbeat every 10 s. */
const DRAW_MS = 100;
const HEARTBEAT_MS = 10_000;
/** The search runs in slices this long between looks at the clock, progress and Ctrl-C. */
const SLICE_MS = 50;

function count(v: string | undefined, name: string): number {
  if (v === undefined) return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`--${name} takes an integer ≥ 1, got "${v}"`);
  return Number(v);
}

function secondsArg(v: string | undefined): number {
  if (v === undefined) return Number.POSITIVE_INFINITY;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
    throw new UsageError(`--time takes a number of seconds > 0, got "${v}"`);
  return Number(v) * 1000;
}

function parseReductions(v: string | undefined): Reductions {
  if (v === undefined) return DEFAULT_REDUCTIONS;
  if (v === 'all') return ALL_REDUCTIONS;
  const names = v === 'none' ? [] : v.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(REDUCTION_NAMES as readonly string[]).includes(n))
      throw new UsageError(
        `--reductions: unknown reduction "${n}" (all, none, or a list of ${REDUCTION_NAMES.join(', ')}; default: counters, procs, symmetry)`,
      );
  }
  return {
    counters: names.includes('counters'),
    procs: names.includes('procs'),
    symmetry: names.includes('symmetry'),
    por: names.includes('por'),
  };
}

function reductionsText(r: Reductions, renamings: number): string {
  const on = REDUCTION_NAMES.filter((n) => r[n]).map((n) =>
    n === 'symmetry' ? `symmetry (${renamings} renaming${renamings === 1 ? '' : 's'})` : n,
  );
  return on.length > 0 ? on.join(', ') : 'none';
}

/** Seconds with two decimals under 10 s, one above. */
export function secs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function rate(s: Stats): number {
  return s.ms > 0 ? Math.round((s.states / s.ms) * 1000) : 0;
}

function statsText(s: Stats): string {
  return `${thousands(s.states)} states · ${thousands(s.transitions)} transitions · depth ${s.depth} · ${secs(s.ms)} · ${thousands(rate(s))} states/s`;
}

function boundsText(b: Bounds): string {
  const parts: string[] = [];
  if (Number.isFinite(b.maxStates)) parts.push(`max-states ${thousands(b.maxStates)}`);
  if (Number.isFinite(b.maxDepth)) parts.push(`max-depth ${b.maxDepth}`);
  if (Number.isFinite(b.time)) parts.push(`time ${b.time / 1000} s`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function cutText(by: Cut, b: Bounds): string {
  switch (by) {
    case 'max-states':
      return `stopped at --max-states ${thousands(b.maxStates)}`;
    case 'max-depth':
      return `paths cut at --max-depth ${b.maxDepth}`;
    case 'time':
      return `stopped at --time ${b.time / 1000} s`;
    case 'interrupt':
      return 'interrupted';
  }
}

/** How often progress is shown (tests shorten the heartbeat). */
export interface Pace {
  readonly heartbeatMs: number;
}

export function exploreCommand(
  argv: readonly string[],
  io: Io,
  pace: Pace = { heartbeatMs: HEARTBEAT_MS },
): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      faults: { type: 'string' },
      'max-states': { type: 'string' },
      'max-depth': { type: 'string' },
      time: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      reductions: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  const file = positionals[0];
  if (file === undefined)
    throw new UsageError('explore needs a scope file: devmem-model explore SCOPE (see scopes/)');
  if (positionals.length > 1)
    throw new UsageError(`explore takes one scope file (got ${positionals.length})`);
  const faults = parseFaults(values.faults);
  const bounds: Bounds = {
    maxStates: count(values['max-states'], 'max-states'),
    maxDepth: count(values['max-depth'], 'max-depth'),
    time: secondsArg(values.time),
  };
  const reductions = parseReductions(values.reductions);
  let ex: Exploration;
  try {
    ex = new Exploration(loadScope(file), file, { faults, reductions, bounds });
  } catch (e) {
    if (e instanceof ScopeError) throw new UsageError(e.message);
    throw e;
  }
  return drive(ex, io, pace, {
    file,
    outDir: values.out ?? 'counterexamples',
    json: values.json === true,
    bounds,
    reductions,
  });
}

interface Shown {
  readonly file: string;
  readonly outDir: string;
  readonly json: boolean;
  readonly bounds: Bounds;
  readonly reductions: Reductions;
}

async function drive(ex: Exploration, io: Io, pace: Pace, shown: Shown): Promise<number> {
  const onInt = () => ex.interrupt();
  process.on('SIGINT', onInt);
  const started = performance.now();
  let lastDraw = 0;
  let lastBeat = started;
  let result: ExploreResult | null = null;
  try {
    for (;;) {
      result = ex.run(SLICE_MS);
      if (result) break;
      const now = performance.now();
      if (io.tty && io.progress && now - lastDraw >= DRAW_MS) {
        lastDraw = now;
        io.progress(`explore: ${progressText(ex, now - started)}`);
      } else if (!io.tty && now - lastBeat >= pace.heartbeatMs) {
        lastBeat = now;
        io.err(`explore: ${progressText(ex, now - started)}`);
      }
      // Let the event loop deliver Ctrl-C.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    process.off('SIGINT', onInt);
    if (io.tty && io.progress) io.progress('');
  }
  return report(ex, result, io, shown);
}

function progressText(ex: Exploration, ms: number): string {
  const b = ex.bfs;
  if (ex.running === 'probe')
    return `${thousands(b.states)} states · depth ${b.depth} · breadth-first probe · ${secs(ms)}`;
  const s = ex.search.stats;
  const r = s.ms > 0 ? Math.round((s.states / s.ms) * 1000) : 0;
  const base = `${thousands(s.states)} states · depth ${s.depth} · ${thousands(r)} states/s · ${secs(ms)}`;
  return ex.running === 'shortest'
    ? `${base} · violation found, shortest trace: ${thousands(b.states)} states, ${b.depth} commands`
    : base;
}

function report(ex: Exploration, r: ExploreResult, io: Io, shown: Shown): number {
  const o = r.outcome;
  let file: string | null = null;
  if (o.k === 'violation' || o.k === 'deadlock') {
    mkdirSync(shown.outDir, { recursive: true });
    const name = o.k === 'deadlock' ? 'deadlock' : pickTarget(o.found.violations, ex.faults);
    file = join(shown.outDir, `${name}-${basename(shown.file, '.json')}.json`);
    writeFileSync(file, traceText(o.found.trace));
  }
  const s = r.stats;
  if (shown.json) {
    io.out(
      JSON.stringify({
        scope: shown.file,
        faults: ex.faults,
        reductions: REDUCTION_NAMES.filter((n) => shown.reductions[n]),
        bounds: {
          maxStates: Number.isFinite(shown.bounds.maxStates) ? shown.bounds.maxStates : null,
          maxDepth: Number.isFinite(shown.bounds.maxDepth) ? shown.bounds.maxDepth : null,
          time: Number.isFinite(shown.bounds.time) ? shown.bounds.time / 1000 : null,
        },
        outcome: o.k === 'cut' ? 'not complete' : o.k,
        complete: o.k === 'verified',
        ...(o.k === 'cut' ? { cutBy: o.by } : {}),
        states: s.states,
        transitions: s.transitions,
        depth: s.depth,
        ms: Math.round(s.ms),
        statesPerSecond: rate(s),
        searchMs: Math.round(r.searchMs),
        search: r.by,
        breadthFirst: {
          states: r.breadth.states,
          transitions: r.breadth.transitions,
          depth: r.breadth.depth,
          ms: Math.round(r.breadth.ms),
        },
        totalMs: Math.round(r.totalMs),
        violation:
          o.k === 'violation' || o.k === 'deadlock'
            ? {
                invariants:
                  o.k === 'deadlock' ? ['deadlock'] : o.found.violations.map((v) => v.invariant),
                file,
                steps: o.found.steps.length,
                commands: o.found.commands,
                atomicDepth: o.found.atomicDepth,
              }
            : null,
      }),
    );
    return exitOf(r);
  }
  const sc = ex.scope;
  const ops = sc.threads.reduce((n, t) => n + t.ops.length, 0);
  io.out(
    `devmem-model explore ${shown.file} · faults: ${ex.faults.length > 0 ? ex.faults.join(', ') : 'none'} · reductions: ${reductionsText(shown.reductions, r.renamings)}`,
  );
  io.out(`  config: ${configText(sc.config)}`);
  io.out(
    `  workload: ${sc.threads.length} threads, ${ops} operations, after a setup of ${sc.setup.length} steps; bounds: ${boundsText(shown.bounds)}`,
  );
  switch (o.k) {
    case 'verified':
      io.out(`verified: ${thousands(s.states)} states, every invariant, no deadlock`);
      io.out(`  ${statsText(s)}`);
      if (s.waitingForUser > 0)
        io.out(
          `  ${thousands(s.waitingForUser)} end states leave processes waiting for a user action the workload does not perform`,
        );
      return EXIT_OK;
    case 'cut':
      io.out(
        `not complete: ${cutText(o.by, shown.bounds)}; no violation in the ${thousands(s.states)} states searched`,
      );
      io.out(`  ${statsText(s)}`);
      return exitOf(r);
    case 'violation':
    case 'deadlock': {
      const f = o.found;
      const what = o.k === 'deadlock' ? 'DEADLOCK' : 'VIOLATION';
      const where =
        f.atomicDepth === null
          ? `found breadth-first after ${thousands(r.breadth.states)} states`
          : `found depth-first at depth ${f.atomicDepth} after ${thousands(s.states)} states`;
      io.out(
        `${what}: shortest trace ${f.commands} commands after the setup (${f.steps.length} steps); ${where}, ${secs(r.searchMs)}`,
      );
      if (f.deadlock !== null) io.out(`  nothing can move: ${f.deadlock}`);
      for (const v of f.violations) {
        io.out(`  ${v.invariant}: ${v.statement}`);
        io.out(`    ${v.message}`);
      }
      const b = r.breadth;
      io.out(
        f.atomicDepth === null
          ? `  breadth-first: ${thousands(b.states)} states · ${thousands(b.transitions)} commands · ${b.depth} levels · ${secs(b.ms)}`
          : `  depth-first: ${statsText(s)}; breadth-first: ${thousands(b.states)} states, ${secs(b.ms)}`,
      );
      io.out(`counterexample: ${file} (${f.steps.length} steps)`);
      io.out(`replay it with: npx devmem-model replay ${file}`);
      return EXIT_VIOLATION;
    }
  }
}

function exitOf(r: ExploreResult): number {
  const o = r.outcome;
  if (o.k === 'cut' && o.by === 'interrupt') return EXIT_INTERRUPTED;
  return o.k === 'violation' || o.k === 'deadlock' ? EXIT_VIOLATION : EXIT_OK;
}
