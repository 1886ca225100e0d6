/**
 * Swarm testing: each run switches a random subset of operations on (each with a random weight)
 * and of importers and devices, so rare interleavings among a few operations come up far sooner
 * than in runs that use everything.
 */
import fc from 'fast-check';
import type { Config } from '../../src/world/config.js';
import { MAKER_LIST } from './commands.js';
import { type Family, OP_FAMILIES, type Profile } from './families.js';

export { type Family, OP_FAMILIES, type Profile } from './families.js';

/**
 * Random profiles; with `directed` (the families a user focuses on, `--focus`), three runs in four
 * switch on only those families' operations (and object creation), with every importer: the search
 * is focused where the user expects the bug, the invariants stay the same.
 */
export function profileArb(
  config: Config,
  maxDeviceEvents: number,
  directed: readonly string[] = [],
): fc.Arbitrary<Profile> {
  const random = randomProfileArb(config, maxDeviceEvents);
  if (directed.length === 0) return random;
  // Every family in focus, each of its operations weighed 1 or 3; nothing else.
  const focused = fc
    .record({
      profile: random,
      ops: fc.array(fc.constantFrom(1, 3), {
        minLength: MAKER_LIST.length,
        maxLength: MAKER_LIST.length,
      }),
    })
    .map(({ profile, ops }) => ({
      ...profile,
      weights: ops.map((wt, i) =>
        i === 0 || directed.includes(MAKER_LIST[i]?.family ?? '') ? wt : 0,
      ),
      importers: config.importers.map((i) => i.id),
    }));
  return fc.oneof({ arbitrary: random, weight: 1 }, { arbitrary: focused, weight: 3 });
}

/**
 * Swarm profiles at two levels: a run keeps each operation family with a probability it draws
 * (a quarter, a half, three quarters), then weighs each operation of a kept family 0, 1 or 3.
 * Dropping whole families is what makes narrow runs common: a bug among three families is
 * reached by the runs that keep those and few others.
 */
function randomProfileArb(config: Config, maxDeviceEvents: number): fc.Arbitrary<Profile> {
  return fc
    .record({
      keep: fc.constantFrom(1, 2, 3),
      families: fc.array(fc.integer({ min: 0, max: 3 }), {
        minLength: OP_FAMILIES.length,
        maxLength: OP_FAMILIES.length,
      }),
      ops: fc.array(fc.constantFrom(0, 1, 3), {
        minLength: MAKER_LIST.length,
        maxLength: MAKER_LIST.length,
      }),
      imp: fc.array(fc.boolean(), {
        minLength: config.importers.length,
        maxLength: config.importers.length,
      }),
      dev: fc.array(fc.boolean(), {
        minLength: config.devices.length,
        maxLength: config.devices.length,
      }),
      maxPending: fc.integer({ min: 1, max: 4 }),
      lazy: fc.constantFrom(3, 1, 10),
    })
    .map(({ keep, families, ops, imp, dev, maxPending, lazy }) => ({
      lazy,
      // Creating objects (the first operation) is always on: without it nothing can happen.
      weights: ops.map((wt, i) => {
        if (i === 0) return Math.max(1, wt);
        const family = OP_FAMILIES.indexOf(MAKER_LIST[i]?.family ?? 'lifecycle');
        return (families[family] ?? 0) < keep ? wt : 0;
      }),
      importers: config.importers.filter((_, i) => imp[i] === true).map((i) => i.id),
      devices: config.devices.filter((_, i) => dev[i] !== false || i === 0).map((d) => d.id),
      maxPending,
      maxDeviceEvents,
    }));
}

/** Everything on: for hand-driven runs and benchmarks. */
export function fullProfile(config: Config, maxDeviceEvents: number): Profile {
  return {
    weights: MAKER_LIST.map(() => 1),
    importers: config.importers.map((i) => i.id),
    devices: config.devices.map((d) => d.id),
    maxPending: 4,
    lazy: 3,
    maxDeviceEvents,
  };
}

/** Whether any operation of a family is on. */
export function familyOn(p: Profile, family: Family): boolean {
  return MAKER_LIST.some((m, i) => m.family === family && (p.weights[i] ?? 0) > 0);
}
