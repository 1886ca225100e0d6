/**
 * `devmem-model explore SCOPE`: every interleaving of a scope's bounded workload, every state
 * checked; a complete search proves the scope, a violation comes back as the shortest trace.
 */
import { basename } from 'node:path';
import { InvalidArgumentError } from 'commander';
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
import { SEARCH_LIMITS } from '../../properties/trace/limits.js';
import { InputError } from '../../properties/trace/load.js';
import { traceText } from '../../properties/trace/write.js';
import { VERSION } from '../../properties/version.js';
import { faultList, integer, seconds } from './args.js';
import type { CliCommand } from './command.js';
import { checkOutDir, writeCounterexample } from './counterexample.js';
import { configText, thousands } from './format.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATION, type Io } from './io.js';
import { Progress } from './progress.js';
import { paint } from './style.js';
import { hanging } from './wrap.js';

/** The search runs in slices this long between looks at progress and Ctrl-C. */
const SLICE_MS = 50;

interface ExploreOpts {
  readonly faults?: string[];
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly time?: number;
  readonly out?: string;
  readonly json?: boolean;
  readonly reductions?: Reductions;
}

/** `all`, `none`, or a comma-separated list of reductions. */
function reductionList(v: string): Reductions {
  if (v === 'all') return ALL_REDUCTIONS;
  const names = v === 'none' ? [] : v.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(REDUCTION_NAMES as readonly string[]).includes(n))
      throw new InvalidArgumentError(
        `Unknown reduction "${n}" (all, none, or a list of ${REDUCTION_NAMES.join(', ')}).`,
      );
  }
  return {
    counters: names.includes('counters'),
    procs: names.includes('procs'),
    seqs: names.includes('seqs'),
    ids: names.includes('ids'),
    symmetry: names.includes('symmetry'),
    por: names.includes('por'),
  };
}

function reductionsText(r: Reductions, renamings: number): string {
  const on = REDUCTION_NAMES.filter((n) => r[n]).map((n) =>
    n !== 'symmetry'
      ? n
      : renamings === 0
        ? 'symmetry (none declared)'
        : `symmetry (${renamings} renaming${renamings === 1 ? '' : 's'})`,
  );
  return on.length > 0 ? on.join(', ') : 'none';
}

/** Seconds with two decimals under 10 s, one above. */
function secs(ms: number): string {
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

function run(file: string, o: ExploreOpts, io: Io): Promise<number> {
  const faults = o.faults ?? [];
  const bounds: Bounds = {
    maxStates: o.maxStates ?? Number.POSITIVE_INFINITY,
    maxDepth: o.maxDepth ?? Number.POSITIVE_INFINITY,
    time: o.time === undefined ? Number.POSITIVE_INFINITY : o.time * 1000,
  };
  const reductions = o.reductions ?? DEFAULT_REDUCTIONS;
  const outDir = o.out ?? 'counterexamples';
  checkOutDir(outDir);
  let ex: Exploration;
  try {
    ex = new Exploration(loadScope(file), file, { faults, reductions, bounds });
  } catch (e) {
    if (e instanceof ScopeError) throw new InputError(e.message);
    throw e;
  }
  return drive(ex, io, { file, outDir, json: o.json === true, bounds, reductions });
}

interface Shown {
  readonly file: string;
  readonly outDir: string;
  readonly json: boolean;
  readonly bounds: Bounds;
  readonly reductions: Reductions;
}

async function drive(ex: Exploration, io: Io, shown: Shown): Promise<number> {
  // Ctrl-C: stop at the next slice, print what was searched, exit 130, write no trace.
  const onInt = () => ex.interrupt();
  process.on('SIGINT', onInt);
  const progress = new Progress(io);
  let result: ExploreResult | null = null;
  try {
    for (;;) {
      result = ex.run(SLICE_MS);
      if (result) break;
      progress.update((el) => `explore: ${progressText(ex, el)}`);
      // Let the event loop deliver Ctrl-C.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    process.off('SIGINT', onInt);
    progress.done();
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

/** `<invariant>-<faults or none>-<scope>` (without .json): where explore writes a trace. */
function exploreName(invariant: string, faults: readonly string[], scope: string): string {
  const f =
    faults.length === 0
      ? 'none'
      : faults.length <= 3
        ? faults.join('+')
        : `${faults.length}-faults`;
  return `${invariant}-${f}-${basename(scope, '.json')}`;
}

function report(ex: Exploration, r: ExploreResult, io: Io, shown: Shown): number {
  const o = r.outcome;
  let file: string | null = null;
  if (o.k === 'violation' || o.k === 'deadlock') {
    const name = o.k === 'deadlock' ? 'deadlock' : pickTarget(o.found.violations, ex.faults);
    file = writeCounterexample(
      shown.outDir,
      exploreName(name, ex.faults, shown.file),
      traceText(o.found.trace),
    );
  }
  const s = r.stats;
  if (shown.json) {
    io.out(
      JSON.stringify({
        version: VERSION,
        scope: shown.file,
        faults: ex.faults,
        reductions: REDUCTION_NAMES.filter((n) => ex.reductions[n]),
        bounds: {
          maxStates: Number.isFinite(shown.bounds.maxStates) ? shown.bounds.maxStates : null,
          maxDepth: Number.isFinite(shown.bounds.maxDepth) ? shown.bounds.maxDepth : null,
          time: Number.isFinite(shown.bounds.time) ? shown.bounds.time / 1000 : null,
        },
        outcome: o.k === 'cut' ? 'not complete' : o.k,
        complete: o.k === 'verified',
        ...(o.k === 'cut' ? { cutBy: o.by } : {}),
        search: r.by,
        states: s.states,
        transitions: s.transitions,
        depth: s.depth,
        ms: Math.round(s.ms),
        statesPerSecond: rate(s),
        waitingForUser: s.waitingForUser,
        breadthFirst: {
          states: r.breadth.states,
          transitions: r.breadth.transitions,
          depth: r.breadth.depth,
          ms: Math.round(r.breadth.ms),
        },
        searchMs: Math.round(r.searchMs),
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
                ...(o.found.deadlock !== null ? { deadlock: o.found.deadlock } : {}),
              }
            : null,
      }),
    );
    return exitOf(r);
  }
  const say = (text: string, indent = 4) => {
    for (const l of hanging(text, io.columns ?? Number.POSITIVE_INFINITY, indent)) io.out(l);
  };
  const sc = ex.scope;
  const ops = sc.threads.reduce((n, t) => n + t.ops.length, 0);
  say(
    `devmem-model explore ${shown.file} · faults: ${ex.faults.length > 0 ? ex.faults.join(', ') : 'none'} · reductions: ${reductionsText(ex.reductions, r.renamings)}`,
  );
  for (const n of ex.notes) say(`  ${n}`);
  say(`  config: ${configText(sc.config)}`);
  say(
    `  workload: ${sc.threads.length} threads, ${ops} operations, after a setup of ${sc.setup.length} ${sc.setup.length === 1 ? 'step' : 'steps'}; bounds: ${boundsText(shown.bounds)}`,
  );
  switch (o.k) {
    case 'verified':
      io.out(
        paint(io, 'ok', `verified: ${thousands(s.states)} states, every invariant, no deadlock`),
      );
      io.out(`  ${statsText(s)}${r.by === 'breadth-first' ? ' (breadth-first)' : ''}`);
      if (s.waitingForUser > 0)
        say(
          `  ${thousands(s.waitingForUser)} end states leave processes waiting for a user action the workload does not perform`,
        );
      return EXIT_OK;
    case 'cut':
      io.out(
        paint(
          io,
          o.by === 'interrupt' ? 'warn' : 'warn',
          `not complete: ${cutText(o.by, shown.bounds)}; no violation in the ${thousands(s.states)} states searched`,
        ),
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
      const length =
        f.commands === 0
          ? `the setup itself (${f.steps.length} steps)`
          : `shortest trace ${f.commands} commands after the setup (${f.steps.length} steps)`;
      say(paint(io, 'bad', `${what}: ${length}; ${where}, ${secs(r.searchMs)}`));
      if (f.deadlock !== null) say(`  nothing can move: ${f.deadlock}`);
      for (const v of f.violations) {
        say(`  ${paint(io, 'strong', v.invariant)}: ${v.statement}`);
        say(`    ${v.message}`, 6);
      }
      const b = r.breadth;
      say(
        f.atomicDepth === null
          ? `  breadth-first: ${thousands(b.states)} states · ${thousands(b.transitions)} commands · ${b.depth} ${b.depth === 1 ? 'level' : 'levels'} · ${secs(b.ms)}`
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

export const exploreCommand: CliCommand = {
  name: 'explore',
  define: (cmd) =>
    cmd
      .summary('every interleaving of a scope: prove it, or the shortest counterexample')
      .description(
        "Visit every interleaving of a scope's bounded workload (a devmem-scope/1 file, scopes/), checking the specification and every invariant at every state, and deadlock. A complete search exits 0 (verified); a violation is written as the shortest trace (exit 1); a search cut by a bound says not complete (exit 0); Ctrl-C prints what was searched (exit 130).",
      )
      .argument('<scope>', 'a devmem-scope/1 file')
      .option('--faults <a,b>', "faults to switch on besides the scope's own", faultList)
      .option('--max-states <n>', 'stop after this many states', integer(1, SEARCH_LIMITS.runs))
      .option('--max-depth <n>', 'cut paths longer than this many atomic steps', integer(1, 65535))
      .option('--time <s>', 'stop after this many seconds', seconds(SEARCH_LIMITS.timeSeconds))
      .option('--out <dir>', 'where counterexamples go (default counterexamples)')
      .option('--json', 'print one JSON object instead of text')
      .option(
        '--reductions <list>',
        `all, none, or a list of ${REDUCTION_NAMES.join(', ')} (default: ${REDUCTION_NAMES.filter((n) => DEFAULT_REDUCTIONS[n]).join(', ')})`,
        reductionList,
      ),
  run: ([file = ''], opts, io) => run(file, opts as ExploreOpts, io),
};
