/**
 * The specification's transition cache is sound: the product caches each machine's transition
 * by (state, eventKey(event)), so a machine whose eventKey leaves out an event field one of its
 * guards reads would answer a later event from an earlier one's entry. With `verifyCache` every
 * cache hit is computed again; these tests run every trace and generated runs that way (a
 * private range's first touch once landed in the shmem state of the mapping machine like this).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Product } from '../models/product.js';
import { MACHINES } from '../models/spec.js';
import { check } from '../properties/check/check.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
} from '../properties/check/defaults.js';
import { defaultProduct } from '../properties/session.js';
import { loadConfig, loadTrace } from '../properties/trace/load.js';
import { replay } from '../properties/trace/replay.js';

afterEach(() => {
  defaultProduct().verifyCache = false;
});

describe('the transition cache', () => {
  it('answers every event of every trace as the machines do', () => {
    defaultProduct().verifyCache = true;
    let steps = 0;
    for (const dir of ['test/scenarios', 'test/regressions']) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        steps += replay(loadTrace(join(dir, f))).steps.length;
      }
    }
    expect(steps).toBeGreaterThan(1000);
  });

  it('answers every event of generated runs as the machines do (built-in and deep configuration)', () => {
    defaultProduct().verifyCache = true;
    for (const config of [DEFAULT_CONFIG, loadConfig('test/deep-config.json')]) {
      const r = check({
        config,
        faults: [],
        runs: 300,
        maxSteps: DEFAULT_MAX_STEPS,
        seed: 1,
        deviceEvents: DEFAULT_DEVICE_EVENTS,
      });
      expect(r.failure).toBeNull();
      expect(r.atomicSteps).toBeGreaterThan(10_000);
    }
  });

  it('catches a machine whose eventKey leaves out a field its guards read', () => {
    const mapping = MACHINES.find((m) => m.id === 'mapping');
    if (!mapping) throw new Error('no mapping machine');
    // The mapping machine tells a shmem page's first touch from a private one's by `shmem`.
    const blind = new Product([{ ...mapping, eventKey: (ev) => ev.type }]);
    blind.verifyCache = true;
    const s = blind.initialState();
    blind.step(s, { type: 'obj.create', obj: 'a#1', kind: 'anon', pages: 2 });
    expect(blind.step(s, { type: 'page.populate', obj: 'a#1', page: 0, shmem: true }).ok).toBe(
      true,
    );
    expect(() => blind.step(s, { type: 'page.populate', obj: 'a#1', page: 1 })).toThrow(
      /mapping machine's eventKey/,
    );
    // The machine's own eventKey keeps the two apart.
    const real = new Product([mapping]);
    real.verifyCache = true;
    const t = real.initialState();
    real.step(t, { type: 'obj.create', obj: 'a#1', kind: 'anon', pages: 2 });
    real.step(t, { type: 'page.populate', obj: 'a#1', page: 0, shmem: true });
    expect(real.step(t, { type: 'page.populate', obj: 'a#1', page: 1 }).ok).toBe(true);
    expect(real.instance(t, 'mapping', 'a#1:1')?.v).toBe('private');
  });
});
