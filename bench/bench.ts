/**
 * `npm run bench`: how fast the checker runs and how fast it finds each fault.
 *   speed        atomic steps per CPU second (one thread) at the built-in configuration and at
 *                8× its memory; wall-time steps per second with 1 and 2 worker threads
 *   per fault    with no hint and with a focus on its families, side by side: seeds that found
 *                it, median runs, steps and time to detect, median shrunk length
 * `npm run bench -- --json` prints one JSON object; `--seeds N`, `--faults a,b` narrow it,
 * `--budget S` caps each search in seconds (default 60), `--time S` the whole bench (faults not
 * reached are reported as not measured); `--speed-only` and `--explore-only` run one section.
 * Off a terminal it prints a heartbeat line every 10 s.
 */
import { Command, CommanderError } from 'commander';
import { faultList, integer, seconds } from '../src/cli/args.js';
import { processIo } from '../src/cli/io.js';
import { Progress } from '../src/cli/progress.js';
import { FAULTS } from '../src/world/faults.js';
import { type Detection, faultRow } from './detect.js';
import { exploreBench, printExplore } from './explore.js';
import { type SpeedFigures, speedFigures } from './speed.js';

/** When the --time budget ends (Infinity without one) and the heartbeat. */
interface Clock {
  readonly deadline: number;
  readonly progress: Progress;
}

function left(clock: Clock): number {
  return clock.deadline - performance.now();
}

interface BenchOpts {
  readonly json?: boolean;
  readonly seeds?: number;
  readonly faults?: string[];
  readonly budget?: number;
  readonly time?: number;
  readonly exploreOnly?: boolean;
  readonly speedOnly?: boolean;
  readonly '6x3'?: boolean;
}

function printSpeed(speed: SpeedFigures): void {
  const n = (v: number) => v.toLocaleString('en-US');
  console.log(
    `atomic steps per CPU second, one thread, every check on: ${n(speed.builtIn)} (built-in configuration); ${n(speed.eightX)} at 8× its memory (${speed.eightXRatio}× the built-in rate)`,
  );
  console.log(
    `wall-time steps per second: ${n(speed.oneWorker)} with 1 worker, ${n(speed.twoWorkers)} with 2 (${speed.speedup}×)`,
  );
}

function parse(argv: readonly string[]): BenchOpts {
  const program = new Command('npm run bench --')
    .option('--json', 'print one JSON object')
    .option('--seeds <n>', 'seeds per fault (default 5)', integer(1, 1000))
    .option('--faults <a,b>', 'only these faults', faultList)
    .option('--budget <s>', 'seconds per search at most (default 60)', seconds(10_000_000))
    .option('--time <s>', 'stop after this many seconds', seconds(10_000_000))
    .option('--explore-only', 'only the explore section (bench/explore.ts)')
    .option('--speed-only', 'only the speed figures (bench/speed.ts)')
    .option('--no-6x3', 'explore section: leave out the long notifier-6x3 slice')
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  program.parse([...argv], { from: 'user' });
  return program.opts<BenchOpts>();
}

async function main(): Promise<number> {
  let values: BenchOpts;
  try {
    values = parse(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return 0;
    console.error(`bench: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}`);
    console.error(
      'usage: npm run bench -- [--json] [--seeds N] [--faults a,b] [--budget S] [--time S] [--explore-only] [--speed-only] [--no-6x3]',
    );
    return 2;
  }
  const seeds = values.seeds ?? 5;
  const budgetMs = (values.budget ?? 60) * 1000;
  const only = values.faults ?? null;
  const explore = () => exploreBench({ faults: only, long: values['6x3'] !== false });
  if (values.exploreOnly) {
    const r = await explore();
    if (values.json) console.log(JSON.stringify({ explore: r }));
    else printExplore(r);
    return 0;
  }
  const clock: Clock = {
    deadline: values.time === undefined ? Infinity : performance.now() + values.time * 1000,
    progress: new Progress(processIo()),
  };
  clock.progress.update((el) => `bench: speed · ${(el / 1000).toFixed(1)} s`);
  const speed = await speedFigures(2000);
  if (values.speedOnly) {
    clock.progress.done();
    if (values.json) console.log(JSON.stringify({ speed }));
    else printSpeed(speed);
    return 0;
  }
  const faults = [];
  for (const f of FAULTS.filter((x) => !only || only.includes(x.name))) {
    if (left(clock) <= 0) break;
    clock.progress.update((el) => `bench: ${f.name} · ${(el / 1000).toFixed(1)} s`);
    faults.push(await faultRow(f, seeds, budgetMs, () => left(clock)));
  }
  clock.progress.done();
  const outOfTime = left(clock) <= 0;
  if (values.json) {
    console.log(
      JSON.stringify({
        speed,
        seeds,
        budgetSeconds: budgetMs / 1000,
        outOfTime,
        faults,
        explore: await explore(),
      }),
    );
    return 0;
  }
  printSpeed(speed);
  console.log(
    `per fault: ${seeds} seeds, one worker per core, at most ${budgetMs / 1000} s per search; found/seeds, median runs, steps and ms to detect, median shrunk length`,
  );
  const w = Math.max(...faults.map((f) => f.fault.length));
  const cell = (v: number | null, k: number) => (v === null ? '-' : String(v)).padStart(k);
  const cols = (d: Detection) =>
    `${`${d.found}/${d.measured}`.padStart(5)} ${cell(d.runs, 7)} ${cell(d.steps, 9)} ${cell(d.ms, 6)} ${cell(d.shrunk, 4)}`;
  console.log(`${''.padEnd(w)}  ${'no hint'.padEnd(35)} | focus`);
  console.log(
    `${'fault'.padEnd(w)}  found    runs     steps     ms  len | found    runs     steps     ms  len  trips`,
  );
  for (const f of faults) {
    const named = f.noHint.tripped && f.focus.tripped ? '' : ' (NOT always named)';
    console.log(`${f.fault.padEnd(w)}  ${cols(f.noHint)} | ${cols(f.focus)}  ${f.trips}${named}`);
  }
  if (outOfTime) console.log(`stopped by --time ${values.time} s: later faults not measured`);
  printExplore(await explore());
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
