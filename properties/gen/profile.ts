/**
 * Swarm testing: each run narrows itself to a random subset of operations and importers, so
 * rare interleavings among a few of them come up far sooner than in runs that use everything.
 */
import fc from 'fast-check';
import type { Config } from '../../src/world/config.js';

export const OP_FAMILIES = [
  'lifecycle',
  'cpu',
  'migrate',
  'reclaim',
  'mirror',
  'pin',
  'dmabuf',
  'share',
  'device',
  'userptr',
] as const;

export type Family = (typeof OP_FAMILIES)[number];

export interface Profile {
  readonly families: ReadonlySet<Family>;
  /** Relative weight of each family's operations in this run. */
  readonly weights: Readonly<Partial<Record<Family, number>>>;
  readonly importers: readonly string[];
  readonly devices: readonly string[];
  /** At most this many processes pending at once. */
  readonly maxPending: number;
  /** At most this many device events (hang, reset, suspend, resume, unplug) per run. */
  readonly maxDeviceEvents: number;
}

export function profileArb(config: Config, maxDeviceEvents: number): fc.Arbitrary<Profile> {
  return fc
    .record({
      fam: fc.array(fc.constantFrom(0, 0, 1, 3, 9), {
        minLength: OP_FAMILIES.length,
        maxLength: OP_FAMILIES.length,
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
    })
    .map(({ fam, imp, dev, maxPending }) => ({
      families: new Set(
        OP_FAMILIES.filter((f, i) => f === 'lifecycle' || f === 'cpu' || (fam[i] ?? 0) > 0),
      ),
      weights: Object.fromEntries(
        OP_FAMILIES.map((f, i) => [
          f,
          Math.max(f === 'lifecycle' || f === 'cpu' ? 1 : 0, fam[i] ?? 0),
        ]),
      ),
      importers: config.importers.filter((_, i) => imp[i] === true).map((i) => i.id),
      devices: config.devices.filter((_, i) => dev[i] !== false || i === 0).map((d) => d.id),
      maxPending,
      maxDeviceEvents,
    }));
}

/** Everything on: for hand-driven runs and benchmarks. */
export function fullProfile(config: Config, maxDeviceEvents: number): Profile {
  return {
    families: new Set(OP_FAMILIES),
    weights: Object.fromEntries(OP_FAMILIES.map((f) => [f, 1])),
    importers: config.importers.map((i) => i.id),
    devices: config.devices.map((d) => d.id),
    maxPending: 4,
    maxDeviceEvents,
  };
}
