/**
 * `npm run bench`: speed of the checker and how fast it finds each fault.
 *   stepsPerSecond   atomic steps per second of generated runs with every check on (no fault)
 *   per fault        runsToDetect and msToDetect (medians over the seeds) and shrunkSteps
 * `npm run bench -- --json` prints one JSON object; `--seeds N`, `--faults a,b` narrow it,
 * `--budget N` caps the runs per search, `--time S` the whole bench (faults not reached are
 * reported as not measured). Off a terminal it prints a heartbeat line every 10 s.
 * The explore section follows (bench/explore.ts): `--explore-only`, `--no-6x3`.
 */
import { Command, CommanderError } from 'commander';
import { check } from '../properties/check/check.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
} from '../properties/check/defaults.js';
import { faultList, integer, seconds } from '../src/cli/args.js';
import { processIo } from '../src/cli/io.js';
import { Progress } from '../src/cli/progress.js';
import { FAULTS } from '../src/world/faults.js';
import { exploreBench, printExplore } from './explore.js';

/** When the --time budget ends (Infinity without one) and the heartbeat. */
interface Clock {
  readonly deadline: number;
  readonly progress: Progress;
}

function left(clock: Clock): number {
  return clock.deadline - performance.now();
}

interface FaultRow {
  readonly fault: string;
  readonly trips: string;
  readonly detected: number;
  /** Seeds searched (fewer than asked when --time ran out). */
  readonly measured: number;
  readonly runsToDetect: number | null;
  readonly msToDetect: number | null;
  readonly shrunkSteps: number | null;
  readonly tripped: boolean;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function speed(deviceEvents: number, runs: number, clock: Clock): number {
  let steps = 0;
  let ms = 0;
  for (const seed of [101, 102, 103]) {
    if (left(clock) <= 0) break;
    clock.progress.update((el) => `bench: speed, seed ${seed} · ${(el / 1000).toFixed(1)} s`);
    const t0 = performance.now();
    const r = check({
      timeBudgetMs: left(clock),
      config: DEFAULT_CONFIG,
      faults: [],
      runs,
      maxSteps: DEFAULT_MAX_STEPS,
      seed,
      deviceEvents,
    });
    ms += performance.now() - t0;
    steps += r.atomicSteps;
  }
  return ms === 0 ? 0 : Math.round((steps / ms) * 1000);
}

function faultRow(
  fault: string,
  trips: string,
  seeds: number,
  budget: number,
  clock: Clock,
): FaultRow {
  const runs: number[] = [];
  const ms: number[] = [];
  const shrunk: number[] = [];
  let tripped = true;
  let measured = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    if (left(clock) <= 0) break;
    measured += 1;
    clock.progress.update(
      (el) => `bench: ${fault}, seed ${seed}/${seeds} · ${(el / 1000).toFixed(1)} s`,
    );
    const r = check({
      timeBudgetMs: left(clock),
      config: DEFAULT_CONFIG,
      faults: [fault],
      runs: budget,
      maxSteps: DEFAULT_MAX_STEPS,
      seed,
      deviceEvents: DEFAULT_DEVICE_EVENTS,
    });
    if (!r.failure) continue;
    runs.push(r.failure.runs);
    ms.push(r.failure.msToDetect);
    shrunk.push(r.failure.trace.steps.length);
    if (!r.failure.violations.some((v) => v.invariant === trips)) tripped = false;
  }
  return {
    fault,
    trips,
    detected: runs.length,
    measured,
    runsToDetect: median(runs),
    msToDetect: median(ms) === null ? null : Math.round(median(ms) ?? 0),
    shrunkSteps: median(shrunk),
    tripped,
  };
}

interface BenchOpts {
  readonly json?: boolean;
  readonly seeds?: number;
  readonly faults?: string[];
  readonly budget?: number;
  readonly time?: number;
  readonly exploreOnly?: boolean;
  readonly '6x3'?: boolean;
}

function parse(argv: readonly string[]): BenchOpts {
  const program = new Command('npm run bench --')
    .option('--json', 'print one JSON object')
    .option('--seeds <n>', 'seeds per fault (default 5)', integer(1, 1000))
    .option('--faults <a,b>', 'only these faults', faultList)
    .option('--budget <n>', 'runs per search at most (default 40000)', integer(1, 1_000_000_000))
    .option('--time <s>', 'stop after this many seconds', seconds(10_000_000))
    .option('--explore-only', 'only the explore section (bench/explore.ts)')
    .option('--no-6x3', 'explore section: leave out the long notifier-6x3 slice')
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  program.parse([...argv], { from: 'user' });
  return program.opts<BenchOpts>();
}

function main(): number {
  let values: BenchOpts;
  try {
    values = parse(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return 0;
    console.error(`bench: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}`);
    console.error(
      'usage: npm run bench -- [--json] [--seeds N] [--faults a,b] [--budget N] [--time S] [--explore-only] [--no-6x3]',
    );
    return 2;
  }
  const seeds = values.seeds ?? 5;
  const budget = values.budget ?? 40000;
  const only = values.faults ?? null;
  const explore = () => exploreBench({ faults: only, long: values['6x3'] !== false });
  if (values.exploreOnly) {
    const r = explore();
    if (values.json) console.log(JSON.stringify({ explore: r }));
    else printExplore(r);
    return 0;
  }
  const clock: Clock = {
    deadline: values.time === undefined ? Infinity : performance.now() + values.time * 1000,
    progress: new Progress(processIo()),
  };
  const stepsPerSecond = speed(DEFAULT_DEVICE_EVENTS, 2000, clock);
  const stepsPerSecondNoDeviceEvents = speed(0, 2000, clock);
  const faults = FAULTS.filter((f) => !only || only.includes(f.name)).map((f) =>
    faultRow(f.name, f.trips, seeds, budget, clock),
  );
  clock.progress.done();
  const outOfTime = left(clock) <= 0;
  if (values.json) {
    console.log(
      JSON.stringify({
        stepsPerSecond,
        stepsPerSecondNoDeviceEvents,
        seeds,
        budget,
        outOfTime,
        faults,
        explore: explore(),
      }),
    );
    return 0;
  }
  console.log(
    `atomic steps per second, every check on: ${stepsPerSecond.toLocaleString('en-US')} (device events off: ${stepsPerSecondNoDeviceEvents.toLocaleString('en-US')})`,
  );
  console.log(
    `per fault: medians over ${seeds} seeds, budget ${budget.toLocaleString('en-US')} runs`,
  );
  const w = Math.max(...faults.map((f) => f.fault.length));
  console.log(`${'fault'.padEnd(w)}  found  runs   ms    shrunk  trips`);
  for (const f of faults) {
    const cell = (v: number | null, n: number) => (v === null ? '-' : String(v)).padStart(n);
    console.log(
      `${f.fault.padEnd(w)}  ${(f.measured === 0 ? 'none' : `${f.detected}/${f.measured}`).padStart(5)}  ${cell(f.runsToDetect, 5)}  ${cell(f.msToDetect, 5)}  ${cell(f.shrunkSteps, 6)}  ${f.trips}${f.tripped ? '' : ' (NOT always named)'}`,
    );
  }
  if (outOfTime)
    console.log(`stopped by --time ${values.time} s: later seeds and faults not measured`);
  printExplore(explore());
  return 0;
}

process.exitCode = main();
