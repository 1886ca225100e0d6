/**
 * `npm run bench`: speed of the checker and how fast it finds each fault.
 *   stepsPerSecond   atomic steps per second of generated runs with every check on (no fault)
 *   per fault        runsToDetect and msToDetect (medians over the seeds) and shrunkSteps
 * `npm run bench -- --json` prints one JSON object; `--seeds N`, `--faults a,b` narrow it.
 * The explore section (bench/explore.ts) follows: `--explore-only`, `--no-6x3`.
 */
import { parseArgs } from 'node:util';
import { check } from '../properties/check/check.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
} from '../properties/check/defaults.js';
import { FAULTS } from '../src/world/faults.js';
import { exploreBench, printExplore } from './explore.js';

interface FaultRow {
  readonly fault: string;
  readonly trips: string;
  readonly detected: number;
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

function speed(deviceEvents: number, runs: number): number {
  let steps = 0;
  let ms = 0;
  for (const seed of [101, 102, 103]) {
    const t0 = performance.now();
    const r = check({
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
  return Math.round((steps / ms) * 1000);
}

function faultRow(fault: string, trips: string, seeds: number, budget: number): FaultRow {
  const runs: number[] = [];
  const ms: number[] = [];
  const shrunk: number[] = [];
  let tripped = true;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = check({
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
    runsToDetect: median(runs),
    msToDetect: median(ms) === null ? null : Math.round(median(ms) ?? 0),
    shrunkSteps: median(shrunk),
    tripped,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      seeds: { type: 'string' },
      faults: { type: 'string' },
      budget: { type: 'string' },
      'explore-only': { type: 'boolean' },
      'no-6x3': { type: 'boolean' },
    },
  });
  const seeds = Number(values.seeds ?? 5);
  const budget = Number(values.budget ?? 40000);
  const only = values.faults?.split(',') ?? null;
  const explore = () => exploreBench({ faults: only, long: values['no-6x3'] !== true });
  if (values['explore-only']) {
    const r = explore();
    if (values.json) console.log(JSON.stringify({ explore: r }));
    else printExplore(r);
    return;
  }
  const stepsPerSecond = speed(DEFAULT_DEVICE_EVENTS, 2000);
  const stepsPerSecondNoDeviceEvents = speed(0, 2000);
  const faults = FAULTS.filter((f) => !only || only.includes(f.name)).map((f) =>
    faultRow(f.name, f.trips, seeds, budget),
  );
  if (values.json) {
    console.log(
      JSON.stringify({
        stepsPerSecond,
        stepsPerSecondNoDeviceEvents,
        seeds,
        budget,
        faults,
        explore: explore(),
      }),
    );
    return;
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
      `${f.fault.padEnd(w)}  ${`${f.detected}/${seeds}`.padStart(5)}  ${cell(f.runsToDetect, 5)}  ${cell(f.msToDetect, 5)}  ${cell(f.shrunkSteps, 6)}  ${f.trips}${f.tripped ? '' : ' (NOT always named)'}`,
    );
  }
  printExplore(explore());
}

main();
