/**
 * The explore section of `npm run bench`: explore beside SPIN on the notifier slices of
 * ../shared/peers/notifier.pml, in one run, and per fault explore's shortest trace beside
 * check's shrunk one.
 *
 *   peer rows     per scope (notifier-3x2, notifier-6x3; the skip-read-retry bug on 3x2):
 *                 search time, end-to-end time, states, verdict — for explore (the built
 *                 command, as a user runs it) and for SPIN (`spin -a`, `cc -O2`, `./pan`;
 *                 skipped with a note when spin or cc is missing)
 *   fault rows    per fault: explore's trace length and time to find it on its scope, check's
 *                 shrunk length (`check --faults F --seed 1`) and the kept regression's
 *                 length; the clean scope's verification (states, time)
 *
 * Options (after `npm run bench --`): --explore-only, --no-6x3 (skip the long slice),
 * --faults a,b.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../properties/check/check.js';
import { DEFAULT_CONFIG, DEFAULT_DEVICE_EVENTS } from '../properties/check/defaults.js';
import { Exploration } from '../properties/explore/explore.js';
import { loadScope } from '../properties/explore/scope.js';
import { DEFAULT_REDUCTIONS, UNBOUNDED } from '../properties/explore/search.js';
import { FAULTS } from '../src/world/faults.js';

const PEER_MODEL = '../shared/peers/notifier.pml';

export interface PeerRow {
  readonly name: string;
  readonly tool: 'explore' | 'spin';
  /** Milliseconds: the search alone, and everything a user waits for. */
  readonly searchMs: number | null;
  readonly endToEndMs: number | null;
  readonly states: number | null;
  readonly verdict: string;
  /** Trace length: explore's commands after the setup; SPIN's trail depth (atomic steps). */
  readonly length: number | null;
  readonly note?: string;
}

export interface FaultRow {
  readonly fault: string;
  readonly trips: string;
  readonly found: boolean;
  readonly exploreSteps: number | null;
  readonly exploreMs: number;
  readonly checkSteps: number | null;
  readonly regressionSteps: number | null;
  readonly cleanVerified: boolean;
  readonly cleanStates: number;
  readonly cleanMs: number;
}

export interface ExploreReport {
  readonly peer: readonly PeerRow[];
  readonly spin: string | null;
  readonly faults: readonly FaultRow[];
  /** All clean fault scopes, verified one after the other in this process. */
  readonly cleanTotalMs: number;
  readonly targets: readonly {
    readonly target: string;
    readonly met: boolean | null;
    readonly figure: string;
  }[];
}

const CLI = 'dist/src/cli/main.js';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

/** explore as a user runs it: the built command, a fresh process. */
function exploreRow(name: string, scope: string, faults: string[]): PeerRow {
  const args = [CLI, 'explore', scope, '--json', '--out', mkdtempSync(join(tmpdir(), 'bench-'))];
  if (faults.length > 0) args.push('--faults', faults.join(','));
  const [r, ms] = timed(() => spawnSync(process.execPath, args, { encoding: 'utf8' }));
  const j = JSON.parse(r.stdout) as {
    outcome: string;
    states: number;
    searchMs: number;
    violation: { commands: number; invariants: string[] } | null;
  };
  return {
    name,
    tool: 'explore',
    searchMs: j.searchMs,
    endToEndMs: Math.round(ms),
    states: j.states,
    verdict: j.violation ? `violation: ${j.violation.invariants[0]}` : j.outcome,
    length: j.violation?.commands ?? null,
  };
}

/** SPIN: generate the verifier, compile it, run it; depth-first (SPIN's default) or BFS. */
function spinRow(name: string, dir: string, defines: string[], bfs: boolean): PeerRow {
  const [, genMs] = timed(() =>
    execFileSync('spin', ['-a', ...defines.map((d) => `-D${d}`), 'notifier.pml'], {
      cwd: dir,
      stdio: 'ignore',
    }),
  );
  const [, ccMs] = timed(() =>
    execFileSync('cc', ['-O2', ...(bfs ? ['-DBFS'] : []), '-o', 'pan', 'pan.c'], {
      cwd: dir,
      stdio: 'ignore',
    }),
  );
  const [out, runMs] = timed(() =>
    spawnSync('./pan', ['-m10000000'], { cwd: dir, encoding: 'utf8' }),
  );
  const text = out.stdout;
  const states = Number(/(\d+) states, stored/.exec(text)?.[1] ?? Number.NaN);
  const elapsed = Number(/pan: elapsed time ([\d.e+-]+) seconds/.exec(text)?.[1] ?? Number.NaN);
  const errors = Number(/errors: (\d+)/.exec(text)?.[1] ?? Number.NaN);
  const depth = Number(/assertion violated.*at depth (\d+)/.exec(text)?.[1] ?? Number.NaN);
  return {
    name,
    tool: 'spin',
    searchMs: Number.isNaN(elapsed) ? null : elapsed * 1000,
    endToEndMs: Math.round(genMs + ccMs + runMs),
    states: Number.isNaN(states) ? null : states,
    verdict:
      errors > 0 ? 'violation: assertion pte == cur' : errors === 0 ? 'verified' : 'no result',
    length: Number.isNaN(depth) ? null : depth,
    note: bfs ? 'breadth-first (-DBFS)' : 'depth-first, partial-order reduction (defaults)',
  };
}

function checkShrunk(fault: string): number | null {
  const r = check({
    config: DEFAULT_CONFIG,
    faults: [fault],
    runs: 40000,
    maxSteps: 120,
    seed: 1,
    deviceEvents: DEFAULT_DEVICE_EVENTS,
  });
  return r.failure ? r.failure.trace.steps.length : null;
}

function explored(file: string, faults: string[]) {
  const ex = new Exploration(loadScope(file), file, {
    faults,
    reductions: DEFAULT_REDUCTIONS,
    bounds: UNBOUNDED,
  });
  return timed(() => ex.runAll());
}

export function exploreBench(opts: {
  readonly faults: readonly string[] | null;
  readonly long: boolean;
}): ExploreReport {
  const peer: PeerRow[] = [];
  const spinOk = which('spin') && which('cc');
  const model = join(process.cwd(), PEER_MODEL);
  const haveModel = existsSync(model);
  const spinNote = !spinOk
    ? 'SPIN rows skipped: `spin` or `cc` is not installed (apt-get install spin gcc)'
    : !haveModel
      ? `SPIN rows skipped: ${PEER_MODEL} not found`
      : null;
  const slices: [string, string, string[], boolean][] = [
    ['notifier-3x2', 'scopes/notifier-3x2.json', ['NMIG=3', 'NMIR=2'], true],
    [
      'notifier-3x2 skip-read-retry',
      'scopes/notifier-3x2.json',
      ['NMIG=3', 'NMIR=2', 'SKIP=1'],
      true,
    ],
    ['notifier-6x3', 'scopes/notifier-6x3.json', ['NMIG=6', 'NMIR=3'], opts.long],
  ];
  for (const [name, scope, defines, run] of slices) {
    if (!run) continue;
    const faults = defines.includes('SKIP=1') ? ['skip-read-retry'] : [];
    peer.push(exploreRow(name, scope, faults));
    if (spinNote) continue;
    const dir = mkdtempSync(join(tmpdir(), 'spin-'));
    copyFileSync(model, join(dir, 'notifier.pml'));
    peer.push(spinRow(name, dir, defines, faults.length > 0));
  }
  const rows: FaultRow[] = [];
  let cleanTotalMs = 0;
  for (const f of FAULTS) {
    if (opts.faults && !opts.faults.includes(f.name)) continue;
    const file = `scopes/faults/${f.name}.json`;
    if (!existsSync(file)) continue;
    const [bug, bugMs] = explored(file, [f.name]);
    const [clean, cleanMs] = explored(file, []);
    cleanTotalMs += cleanMs;
    const reg = `test/regressions/${f.name}.json`;
    const o = bug.outcome;
    rows.push({
      fault: f.name,
      trips: f.trips,
      found: o.k === 'violation' && o.found.violations.some((v) => v.invariant === f.trips),
      exploreSteps: o.k === 'violation' ? o.found.steps.length : null,
      exploreMs: Math.round(bugMs),
      checkSteps: checkShrunk(f.name),
      regressionSteps: existsSync(reg)
        ? (JSON.parse(readFileSync(reg, 'utf8')) as { steps: unknown[] }).steps.length
        : null,
      cleanVerified: clean.outcome.k === 'verified',
      cleanStates: clean.stats.states,
      cleanMs: Math.round(cleanMs),
    });
  }
  return {
    peer,
    spin: spinNote,
    faults: rows,
    cleanTotalMs,
    targets: targets(peer, rows, cleanTotalMs),
  };
}

function targets(peer: readonly PeerRow[], rows: readonly FaultRow[], cleanMs: number) {
  const get = (name: string, tool: 'explore' | 'spin') =>
    peer.find((p) => p.name === name && p.tool === tool);
  const e3 = get('notifier-3x2', 'explore');
  const s3 = get('notifier-3x2', 'spin');
  const eb = get('notifier-3x2 skip-read-retry', 'explore');
  const sb = get('notifier-3x2 skip-read-retry', 'spin');
  const e6 = get('notifier-6x3', 'explore');
  const s6 = get('notifier-6x3', 'spin');
  const ms = (x: number | null | undefined) => (x == null ? '-' : `${(x / 1000).toFixed(2)} s`);
  const out: { target: string; met: boolean | null; figure: string }[] = [];
  if (e3) {
    out.push({
      target: 'notifier-3x2 verified complete in under 1 s of search',
      met: e3.verdict === 'verified' && (e3.searchMs ?? Infinity) < 1000,
      figure: `${e3.verdict}, ${ms(e3.searchMs)} search`,
    });
    out.push({
      target: 'notifier-3x2 faster than SPIN end to end',
      met: s3 ? (e3.endToEndMs ?? Infinity) < (s3.endToEndMs ?? 0) : null,
      figure: `explore ${ms(e3.endToEndMs)}, SPIN ${ms(s3?.endToEndMs)}`,
    });
  }
  if (eb)
    out.push({
      target: "skip-read-retry found on notifier-3x2 within 3× SPIN's search time",
      met: sb ? (eb.searchMs ?? Infinity) <= 3 * (sb.searchMs ?? 0) : null,
      // pan times its search with times(2): a reading of 0 means under one clock tick (10 ms).
      figure: `explore ${ms(eb.searchMs)}, SPIN ${sb?.searchMs === 0 ? 'under 0.01 s (pan reads 0: under one 10 ms clock tick)' : ms(sb?.searchMs)}`,
    });
  if (rows.length > 0) {
    const slow = rows.filter((r) => r.exploreMs >= 10_000);
    out.push({
      target: 'every fault found on its scope in under 10 s',
      met: rows.every((r) => r.found) && slow.length === 0,
      figure: `${rows.filter((r) => r.found).length}/${rows.length} found, slowest ${ms(Math.max(...rows.map((r) => r.exploreMs)))}`,
    });
    const longer = rows.filter(
      (r) => r.exploreSteps !== null && r.checkSteps !== null && r.exploreSteps > r.checkSteps,
    );
    const shorter = rows.filter(
      (r) => r.exploreSteps !== null && r.checkSteps !== null && r.exploreSteps < r.checkSteps,
    );
    out.push({
      target: "every fault's trace no longer than check's shrunk one",
      met: longer.length === 0,
      figure: `${shorter.length} strictly shorter, ${rows.length - shorter.length - longer.length} equal, ${longer.length} longer${longer.length > 0 ? ` (${longer.map((r) => r.fault).join(', ')})` : ''}`,
    });
    out.push({
      target: 'all clean fault scopes verified complete, together under 60 s',
      met: rows.every((r) => r.cleanVerified) && cleanMs < 60_000,
      figure: `${rows.filter((r) => r.cleanVerified).length}/${rows.length} verified, ${ms(cleanMs)}`,
    });
  }
  if (e6)
    out.push({
      target: "notifier-6x3 verified (goal: under SPIN's time)",
      met: s6 ? e6.verdict === 'verified' && (e6.searchMs ?? Infinity) < (s6.searchMs ?? 0) : null,
      figure: `explore ${e6.verdict}, ${e6.states} states, ${ms(e6.searchMs)} search; SPIN ${s6?.states ?? '-'} states, ${ms(s6?.searchMs)}`,
    });
  return out;
}

export function printExplore(r: ExploreReport): void {
  const cell = (v: string | number | null | undefined, n: number) =>
    (v === null || v === undefined ? '-' : String(v)).padStart(n);
  const secs = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(2));
  console.log('\nexplore beside SPIN (one run; seconds)');
  console.log(
    `${'slice'.padEnd(30)} ${'tool'.padEnd(8)} ${'search'.padStart(8)} ${'end-to-end'.padStart(10)} ${'states'.padStart(11)} ${'length'.padStart(6)}  verdict`,
  );
  for (const p of r.peer) {
    console.log(
      `${p.name.padEnd(30)} ${p.tool.padEnd(8)} ${cell(secs(p.searchMs), 8)} ${cell(secs(p.endToEndMs), 10)} ${cell(p.states?.toLocaleString('en-US'), 11)} ${cell(p.length, 6)}  ${p.verdict}${p.note ? ` (${p.note})` : ''}`,
    );
  }
  if (r.spin) console.log(`  ${r.spin}`);
  console.log("  length: explore's trace in commands after the setup; SPIN's trail in steps");
  if (r.faults.length > 0) {
    console.log(
      '\nexplore per fault (trace length in steps; check: --seed 1 shrunk; kept: test/regressions)',
    );
    const w = Math.max(...r.faults.map((f) => f.fault.length));
    console.log(
      `${'fault'.padEnd(w)}  found  explore  check  kept  find ms  clean states  clean ms`,
    );
    for (const f of r.faults) {
      console.log(
        `${f.fault.padEnd(w)}  ${(f.found ? 'yes' : 'NO').padStart(5)}  ${cell(f.exploreSteps, 7)}  ${cell(f.checkSteps, 5)}  ${cell(f.regressionSteps, 4)}  ${cell(f.exploreMs, 7)}  ${cell(f.cleanStates, 12)}  ${cell(f.cleanMs, 8)}${f.cleanVerified ? '' : '  NOT VERIFIED'}`,
      );
    }
    console.log(`all clean scopes verified in ${(r.cleanTotalMs / 1000).toFixed(1)} s`);
  }
  console.log('\ntargets of issue 10');
  for (const t of r.targets)
    console.log(`  ${t.met === null ? '?' : t.met ? '✓' : '✗'} ${t.target}: ${t.figure}`);
}
