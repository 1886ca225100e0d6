/** `devmem-model check`: generated interleavings against the spec and every invariant. */

import { availableParallelism } from 'node:os';
import { Option } from 'commander';
import {
  type CheckOptions,
  type CheckResult,
  check,
  pickTarget,
} from '../../properties/check/check.js';
import { type Coverage, coverage, transitionText } from '../../properties/check/coverage.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
  DEFAULT_RUNS,
} from '../../properties/check/defaults.js';
import { checkParallel } from '../../properties/check/parallel.js';
import { OP_FAMILIES } from '../../properties/gen/profile.js';
import { defaultProduct } from '../../properties/session.js';
import { LIMITS, SEARCH_LIMITS } from '../../properties/trace/limits.js';
import { InputError, loadConfig, loadTrace } from '../../properties/trace/load.js';
import { TraceError, validateFound } from '../../properties/trace/schema.js';
import { traceText } from '../../properties/trace/write.js';
import { VERSION } from '../../properties/version.js';
import { type Config, configToInput, normalizeConfig } from '../world/config.js';
import { familyList, faultList, integer, seconds, shardOf } from './args.js';
import type { CliCommand } from './command.js';
import { checkOutDir, counterexampleName, writeCounterexample } from './counterexample.js';
import { configText, seconds as secondsText, thousands } from './format.js';
import { EXIT_OK, EXIT_VIOLATION, type Io } from './io.js';
import { Progress } from './progress.js';
import { paint } from './style.js';
import { hanging } from './wrap.js';

interface CheckOpts {
  readonly runs?: number;
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly deviceEvents?: number;
  readonly faults?: string[];
  readonly focus?: string[];
  readonly config?: string;
  readonly from?: string;
  readonly out?: string;
  readonly time?: number;
  readonly seeds?: number;
  readonly workers?: number;
  readonly shard?: { index: number; count: number };
  readonly json?: boolean;
  readonly coverage?: boolean;
  readonly coverageFloor?: number;
}

/** The search to run: from the options, or from a counterexample's found block. */
interface Search {
  readonly seed: number;
  readonly seeds: number;
  readonly workers: number;
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly runs: number;
  readonly maxSteps: number;
  readonly deviceEvents: number;
  readonly faults: readonly string[];
  readonly focus: readonly string[];
  readonly config: Config;
  /** Where the configuration came from, for the report. */
  readonly configName: string;
  /** Which of runs, maxSteps, deviceEvents took their default. */
  readonly defaulted: ReadonlySet<string>;
  readonly from: {
    readonly file: string;
    readonly version: string | undefined;
    readonly steps: string;
  } | null;
}

const SEARCH_OPTIONS = [
  'seed',
  'seeds',
  'runs',
  'maxSteps',
  'deviceEvents',
  'faults',
  'focus',
  'config',
  'workers',
  'shard',
];

/** Lanes by default: one per core (os.availableParallelism). */
function defaultWorkers(): number {
  return Math.min(availableParallelism(), SEARCH_LIMITS.workers);
}

function fromOptions(o: CheckOpts): Search {
  const defaulted = new Set<string>();
  const pick = (key: 'runs' | 'maxSteps' | 'deviceEvents', dflt: number): number => {
    const v = o[key];
    if (v === undefined) defaulted.add(key);
    return v ?? dflt;
  };
  if (o.workers === undefined) defaulted.add('workers');
  return {
    seed: o.seed ?? Date.now() % SEARCH_LIMITS.seed,
    seeds: o.seeds ?? 1,
    workers: o.workers ?? defaultWorkers(),
    shard: o.shard ?? null,
    runs: pick('runs', DEFAULT_RUNS),
    maxSteps: pick('maxSteps', DEFAULT_MAX_STEPS),
    deviceEvents: pick('deviceEvents', DEFAULT_DEVICE_EVENTS),
    faults: o.faults ?? [],
    focus: o.focus ?? [],
    config: o.config === undefined ? DEFAULT_CONFIG : loadConfig(o.config),
    configName: o.config ?? 'built-in',
    defaulted,
    from: null,
  };
}

/** The search a counterexample records (`check --from FILE`). */
function fromFile(file: string, io: Io): Search {
  const trace = loadTrace(file);
  if (trace.found === undefined)
    throw new InputError(
      `${file}: no found block (only counterexamples written by check have one)`,
    );
  let f: ReturnType<typeof validateFound>;
  try {
    f = validateFound(trace.found);
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
  if (f.version !== VERSION)
    io.err(
      `devmem-model check: ${file} was found by devmem-model ${f.version}, this is ${VERSION}: the search may find something else`,
    );
  const shard = f.shard?.split('/').map(Number);
  return {
    seed: f.seed,
    seeds: f.seeds ?? 1,
    workers: f.workers ?? 1,
    shard: shard ? { index: (shard[0] ?? 1) - 1, count: shard[1] ?? 1 } : null,
    runs: f.runs,
    maxSteps: f.maxSteps,
    deviceEvents: f.deviceEvents,
    faults: f.faults,
    focus: f.focus ?? [],
    config: normalizeConfig(f.config),
    configName: `as found (${file})`,
    defaulted: new Set(),
    from: { file, version: f.version, steps: JSON.stringify(trace.steps) },
  };
}

function printCoverage(io: Io, cov: Coverage, floor: number | null): void {
  const of = floor !== null ? `, floor ${floor}%` : '';
  io.out(
    `coverage of the specification: ${cov.reached}/${cov.total} transitions (${cov.percent}%)${of}`,
  );
  for (const m of cov.machines) {
    io.out(`  ${m.machine.padEnd(13)} ${String(m.reached).padStart(3)}/${m.total}`);
    for (const t of m.unreached) io.out(`      not reached: ${transitionText(t)}`);
  }
  if (floor !== null && cov.percent < floor)
    io.out(paint(io, 'bad', `coverage ${cov.percent}% is below the floor of ${floor}%`));
}

function coverageJson(cov: Coverage) {
  return {
    percent: cov.percent,
    reached: cov.reached,
    total: cov.total,
    unreached: cov.machines.flatMap((m) =>
      m.unreached.map((t) => `${m.machine}: ${transitionText(t)}`),
    ),
  };
}

/** Run the search: in this thread (one worker), or split over worker threads (then async). */
function run(o: CheckOpts, io: Io): number | Promise<number> {
  const s = o.from !== undefined ? fromFile(o.from, io) : fromOptions(o);
  const outDir = o.out ?? 'counterexamples';
  checkOutDir(outDir);
  const floor = o.coverageFloor ?? null;
  const wantCoverage = o.coverage === true || floor !== null;
  if (wantCoverage) defaultProduct().resetCoverage();
  const progress = new Progress(io);
  let runsDone = 0;
  const total = s.runs * s.seeds;
  const search: CheckOptions = {
    config: s.config,
    faults: s.faults,
    focus: s.focus,
    runs: s.runs,
    maxSteps: s.maxSteps,
    seed: s.seed,
    seeds: s.seeds,
    workers: s.workers,
    ...(s.shard ? { shard: s.shard } : {}),
    deviceEvents: s.deviceEvents,
    coverage: wantCoverage,
    ...(o.time !== undefined ? { timeBudgetMs: o.time * 1000 } : {}),
    onRun: (done, steps) => {
      runsDone = done;
      progress.update(
        (el) =>
          `check: run ${thousands(done)}/${thousands(total)} · ${thousands(Math.round((steps / Math.max(el, 1)) * 1000))} steps/s · ${secondsText(el)} · seed ${s.seed}`,
        done === total,
      );
    },
    onShrink: (steps) =>
      progress.update(
        (el) =>
          `check: shrinking the ${thousands(steps)}-step counterexample found after ${thousands(runsDone)} runs · ${secondsText(el)} · seed ${s.seed}`,
        io.tty,
      ),
  };
  if (s.workers > 1)
    return checkParallel(search).then((result) => report(o, io, s, progress, result));
  return report(o, io, s, progress, check(search));
}

/** Write the counterexample, print the outcome; the exit code. */
function report(o: CheckOpts, io: Io, s: Search, progress: Progress, result: CheckResult): number {
  const outDir = o.out ?? 'counterexamples';
  const floor = o.coverageFloor ?? null;
  const wantCoverage = o.coverage === true || floor !== null;
  progress.done();
  const elapsed = progress.elapsed();
  const failure = result.failure;
  let file: string | null = null;
  if (failure) {
    const name = counterexampleName({
      invariant: pickTarget(failure.violations, s.faults),
      faults: s.faults,
      focus: s.focus,
      seed: s.seed,
      runs: s.runs,
      maxSteps: s.maxSteps,
      deviceEvents: s.deviceEvents,
      config: configToInput(s.config),
      seeds: s.seeds,
      workers: s.workers,
      shard: s.shard ? `${s.shard.index + 1}/${s.shard.count}` : null,
    });
    file = writeCounterexample(outDir, name, traceText(failure.trace));
  }
  const cov = wantCoverage ? coverage(defaultProduct()) : null;
  const belowFloor = cov !== null && floor !== null && cov.percent < floor;
  const code = failure || belowFloor ? EXIT_VIOLATION : EXIT_OK;
  const reproduced =
    s.from && failure ? JSON.stringify(failure.trace.steps) === s.from.steps : null;
  if (o.json) {
    io.out(
      JSON.stringify({
        ...(cov ? { coverage: coverageJson(cov) } : {}),
        version: VERSION,
        seed: s.seed,
        seeds: s.seeds,
        runs: s.runs,
        workers: s.workers,
        shard: s.shard ? `${s.shard.index + 1}/${s.shard.count}` : null,
        maxSteps: s.maxSteps,
        deviceEvents: s.deviceEvents,
        faults: s.faults,
        focus: s.focus,
        config: s.configName,
        ...(s.from ? { from: s.from.file, reproduced } : {}),
        ...(o.time !== undefined ? { timeBudget: o.time } : {}),
        runsDone: result.runs,
        outOfTime: result.outOfTime,
        atomicSteps: result.atomicSteps,
        ms: Math.round(elapsed),
        violation: failure
          ? {
              invariants: failure.violations.map((v) => v.invariant),
              runs: failure.runs,
              file,
              steps: failure.trace.steps.length,
            }
          : null,
      }),
    );
    return code;
  }
  const dflt = (key: string) => (s.defaulted.has(key) ? ' (default)' : '');
  const say = (text: string, indent = 4) => {
    for (const l of hanging(text, io.columns ?? Infinity, indent)) io.out(l);
  };
  say(
    `devmem-model check · seed ${s.seed}${s.seeds > 1 ? ` (+${s.seeds - 1} more)` : ''} · runs ${s.runs}${dflt('runs')} · workers ${s.workers}${dflt('workers')}${s.shard ? ` · shard ${s.shard.index + 1}/${s.shard.count}` : ''} · max-steps ${s.maxSteps}${dflt('maxSteps')} · device-events ${s.deviceEvents}${dflt('deviceEvents')}${o.time !== undefined ? ` · time ${o.time} s` : ''}`,
  );
  io.out(`  faults: ${s.faults.length > 0 ? s.faults.join(', ') : 'none'}`);
  if (s.focus.length > 0) io.out(`  focus: ${s.focus.join(', ')}`);
  say(`  config: ${s.configName} (${configText(s.config)})`);
  if (!failure || file === null) {
    const stopped = result.outOfTime
      ? `; stopped by --time ${o.time} s after ${thousands(result.runs)} of ${thousands(s.runs)} runs`
      : '';
    io.out(
      paint(
        io,
        'ok',
        `ok: no violation in ${thousands(result.runs)} runs (${thousands(result.atomicSteps)} atomic steps, ${secondsText(elapsed)}${stopped})`,
      ),
    );
    if (s.from) io.out(`not reproduced: the search recorded in ${s.from.file} found nothing now`);
    if (cov) printCoverage(io, cov, floor);
    return code;
  }
  io.out(
    paint(
      io,
      'bad',
      `VIOLATION after ${thousands(failure.runs)} runs (${secondsText(failure.msToDetect)}), seed ${s.seed}:`,
    ),
  );
  for (const v of failure.violations) {
    say(`  ${paint(io, 'strong', v.invariant)}: ${v.statement}`);
    say(`    ${v.message}`, 6);
  }
  io.out(
    `counterexample: ${file} (${failure.trace.steps.length} steps, shrunk from ${failure.unshrunkSteps})`,
  );
  if (s.from)
    io.out(
      reproduced
        ? `reproduced: the same steps as ${s.from.file}`
        : `found something else than ${s.from.file} (the model changed since ${s.from.version ?? 'then'}?)`,
    );
  io.out(`replay it with: npx devmem-model replay ${file}`);
  if (cov) printCoverage(io, cov, floor);
  return code;
}

export const checkCommand: CliCommand = {
  name: 'check',
  define: (cmd) =>
    cmd
      .summary('generated interleavings against the specification and every invariant')
      .description(
        'Generate interleavings, check the specification and every invariant after every atomic step; on a violation shrink it and write the counterexample as a trace file.',
      )
      .option(
        '--runs <n>',
        `runs to generate (default ${DEFAULT_RUNS})`,
        integer(1, SEARCH_LIMITS.runs),
      )
      .option(
        '--seed <s>',
        'the seed (default: from the clock; printed)',
        integer(0, SEARCH_LIMITS.seed),
      )
      .option(
        '--max-steps <n>',
        `trace steps per run at most (default ${DEFAULT_MAX_STEPS})`,
        integer(1, LIMITS.steps),
      )
      .option(
        '--device-events <n>',
        `hang, reset, suspend, resume, unplug per run at most (default ${DEFAULT_DEVICE_EVENTS})`,
        integer(0, SEARCH_LIMITS.deviceEvents),
      )
      .option(
        '--faults <a,b>',
        'faults of the catalogue to switch on (devmem-model faults)',
        faultList,
      )
      .option(
        '--focus <a,b>',
        `operation families to weight: three runs in four switch on only those (${OP_FAMILIES.join(', ')})`,
        familyList,
      )
      .option(
        '--seeds <n>',
        'search this many consecutive seeds from --seed, --runs runs each (default 1)',
        integer(1, SEARCH_LIMITS.seeds),
      )
      .option(
        '--workers <n>',
        'worker threads the search is split into (default: one per core); the counterexample depends on the seed and this number only',
        integer(1, SEARCH_LIMITS.workers),
      )
      .option(
        '--shard <i/n>',
        'run the i-th of n disjoint slices of the search (a CI matrix: one slice per machine)',
        shardOf(SEARCH_LIMITS.shards),
      )
      .option('--config <file>', "a JSON file holding a trace's config object (default: built-in)")
      .addOption(
        new Option(
          '--from <file>',
          "re-run the search a counterexample's found block records",
        ).conflicts(SEARCH_OPTIONS),
      )
      .option('--out <dir>', 'where counterexamples go (default counterexamples)')
      .option(
        '--time <s>',
        'start no new run after this many seconds (a budget; shrinking still completes)',
        seconds(SEARCH_LIMITS.timeSeconds),
      )
      .option('--json', 'print one JSON object instead of text')
      .option('--coverage', 'list the specification transitions no run took')
      .option(
        '--coverage-floor <pct>',
        'exit 1 below this share of transitions reached',
        integer(0, 100),
      ),
  run: (_args, opts, io) => run(opts as CheckOpts, io),
};
