/**
 * One lane of a generated search. A search is a space of runs: for each of its seeds, run
 * indices 0 … runs-1, numbered globally g = seed position × runs + index. Every run draws its
 * profile and choices from a generator seeded by (seed, index) alone, so any slice of the space
 * can run anywhere: a shard is a contiguous range of g (`--shard i/n`, for CI machines), a lane
 * every lanes-th index of a shard (`--workers n`, for cores). Coverage feedback (the corpus)
 * belongs to a lane and evolves over its own runs, in order, so a lane's runs depend only on the
 * search, the shard and the lane count: the failing run with the smallest g is the same on every
 * machine for the same options.
 */
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Config } from '../../src/world/config.js';
import { type Profile, profileArb } from '../gen/profile.js';
import type { Violation } from '../session.js';
import { defaultProduct } from '../session.js';
import { Corpus, type RunInput } from './corpus.js';
import { runChoices } from './run.js';

export interface SearchParams {
  readonly config: Config;
  readonly faults: readonly string[];
  readonly maxSteps: number;
  readonly deviceEvents: number;
  readonly focus: readonly string[];
}

/** Which runs of the search a lane makes. */
export interface LaneSpec {
  readonly seeds: readonly number[];
  /** Runs per seed. */
  readonly runs: number;
  /** The shard: global indices [from, to). */
  readonly from: number;
  readonly to: number;
  readonly lane: number;
  readonly lanes: number;
}

export interface LaneFailure {
  /** The run's global index, its seed and its index under that seed. */
  readonly g: number;
  readonly seed: number;
  readonly run: number;
  readonly input: RunInput;
  readonly violations: readonly Violation[];
  readonly msToDetect: number;
}

export interface LaneResult {
  readonly runs: number;
  readonly atomicSteps: number;
  readonly failure: LaneFailure | null;
  readonly outOfTime: boolean;
}

export interface LaneControl {
  /** The smallest failing g any lane has found so far (runs past it are not needed). */
  stopAt(): number;
  /** This lane found a failure at g. */
  failed(g: number): void;
  /** Start no new run after this time (performance.now()). */
  readonly deadline: number;
  onRun?(runs: number, atomicSteps: number): void;
}

/** splitmix32: a well-mixed 32-bit seed for run `index` of `seed`. */
function runSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export interface Draw extends RunInput {
  readonly pick: number;
  readonly cut: number;
}

/** The fresh draw of run `index` of `seed`. */
export function drawRun(
  profiles: fc.Arbitrary<Profile>,
  maxSteps: number,
  seed: number,
  index: number,
): Draw {
  const r = new fc.Random(xoroshiro128plus(runSeed(seed, index)));
  const profile = profiles.generate(r, undefined).value;
  const n = r.nextInt(0, maxSteps);
  const choices = new Array<number>(n);
  for (let i = 0; i < n; i++) choices[i] = r.nextInt(0, 0x7fffffff);
  return { profile, choices, pick: r.nextInt(0, 0x7fffffff), cut: r.nextInt(0, 0x7fffffff) };
}

export function runLane(p: SearchParams, spec: LaneSpec, control: LaneControl): LaneResult {
  const profiles = profileArb(p.config, p.deviceEvents, p.focus);
  const corpus = new Corpus(defaultProduct(), p.maxSteps);
  const t0 = performance.now();
  let runs = 0;
  let atomicSteps = 0;
  for (let g = spec.from + spec.lane; g < spec.to; g += spec.lanes) {
    if (g > control.stopAt()) break;
    if (performance.now() >= control.deadline) {
      return { runs, atomicSteps, failure: null, outOfTime: true };
    }
    const seed = spec.seeds[Math.floor(g / spec.runs)] ?? 0;
    const index = g % spec.runs;
    const draw = drawRun(profiles, p.maxSteps, seed, index);
    const input = corpus.derive(draw, draw.pick, draw.cut);
    const out = runChoices(p.config, p.faults, input.profile, input.choices);
    corpus.note(input, out);
    runs += 1;
    atomicSteps += out.atomicSteps;
    control.onRun?.(runs, atomicSteps);
    if (out.violations) {
      control.failed(g);
      const failure = {
        g,
        seed,
        run: index,
        input,
        violations: out.violations,
        msToDetect: performance.now() - t0,
      };
      return { runs, atomicSteps, failure, outOfTime: false };
    }
  }
  return { runs, atomicSteps, failure: null, outOfTime: false };
}
