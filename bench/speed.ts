/**
 * How fast the checker runs: atomic steps per CPU second of one thread with every check on, at
 * the built-in configuration and at one with eight times its memory (bench/config-8x.json: the
 * per-step cost should not grow with memory the runs do not touch), and how much a second
 * worker thread adds (wall time of the same search with --workers 2 and 1). Both worker counts
 * run in fresh worker threads, as `check --workers N` does: each thread loads the model and warms
 * its JIT from cold, so neither side gets the warm JIT of this process.
 */
import { check } from '../properties/check/check.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
} from '../properties/check/defaults.js';
import { checkParallel } from '../properties/check/parallel.js';
import { loadConfig } from '../properties/trace/load.js';
import type { Config } from '../src/world/config.js';

export interface SpeedFigures {
  /** Steps per CPU second, one thread, built-in configuration. */
  readonly builtIn: number;
  /** The same at eight times the memory, and its ratio to builtIn. */
  readonly eightX: number;
  readonly eightXRatio: number;
  /** Wall-time steps per second of one search with 1 and 2 worker threads, and the speedup. */
  readonly oneWorker: number;
  readonly twoWorkers: number;
  readonly speedup: number;
}

const SEEDS = [101, 102, 103];

function cpuRate(config: Config, runs: number): number {
  let steps = 0;
  let cpu = 0;
  for (const seed of SEEDS) {
    const c0 = process.cpuUsage();
    const r = check({
      config,
      faults: [],
      runs,
      maxSteps: DEFAULT_MAX_STEPS,
      seed,
      deviceEvents: DEFAULT_DEVICE_EVENTS,
    });
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1e6;
    steps += r.atomicSteps;
  }
  return Math.round(steps / cpu);
}

/**
 * A default-sized search (10,000 runs) per worker count: each worker thread warms its own JIT,
 * and while one worker runs, V8's compiler and garbage-collector threads have the other core;
 * searches of a few thousand runs measure mostly that warm-up (2,000 runs: 2 workers no faster
 * than 1; 10,000: 1.4x).
 */
const WALL_RUNS = 10_000;

async function wallRate(workers: number, runs: number): Promise<number> {
  const t0 = performance.now();
  const r = await checkParallel({
    config: DEFAULT_CONFIG,
    faults: [],
    runs,
    maxSteps: DEFAULT_MAX_STEPS,
    seed: SEEDS[0] ?? 101,
    deviceEvents: DEFAULT_DEVICE_EVENTS,
    workers,
  });
  return Math.round((r.atomicSteps / (performance.now() - t0)) * 1000);
}

export async function speedFigures(runs: number): Promise<SpeedFigures> {
  // A first, unmeasured search warms the JIT.
  cpuRate(DEFAULT_CONFIG, Math.ceil(runs / 10));
  const builtIn = cpuRate(DEFAULT_CONFIG, runs);
  const eightX = cpuRate(loadConfig('bench/config-8x.json'), runs);
  const oneWorker = await wallRate(1, WALL_RUNS);
  const twoWorkers = await wallRate(2, WALL_RUNS);
  return {
    builtIn,
    eightX,
    eightXRatio: Math.round((eightX / builtIn) * 100) / 100,
    oneWorker,
    twoWorkers,
    speedup: Math.round((twoWorkers / oneWorker) * 100) / 100,
  };
}
