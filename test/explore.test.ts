/**
 * explore on the fault catalogue: every fault has a scope (scopes/faults/<fault>.json) where
 * explore finds it, naming the invariant the catalogue names, with a trace no longer than
 * check's shrunk regression; without the fault the same scope verifies complete. The trace
 * explore writes replays to the same violation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Exploration } from '../properties/explore/explore.js';
import { loadScope } from '../properties/explore/scope.js';
import { DEFAULT_REDUCTIONS, UNBOUNDED } from '../properties/explore/search.js';
import { replay } from '../properties/trace/replay.js';
import { validateTrace } from '../properties/trace/schema.js';
import { traceText } from '../properties/trace/write.js';
import { FAULTS } from '../src/world/faults.js';

function explore(file: string, faults: readonly string[]) {
  const ex = new Exploration(loadScope(file), file, {
    faults,
    reductions: DEFAULT_REDUCTIONS,
    bounds: UNBOUNDED,
  });
  return ex.runAll();
}

describe('every fault of the catalogue has a scope', () => {
  for (const f of FAULTS) {
    const file = `scopes/faults/${f.name}.json`;
    it(`${f.name}: ${file} exists (add one with each new fault)`, () => {
      expect(existsSync(file), `${file} is missing`).toBe(true);
    });
  }
});

describe('explore finds every fault on its scope, and verifies the scope without it', () => {
  for (const f of FAULTS) {
    const file = `scopes/faults/${f.name}.json`;
    if (!existsSync(file)) continue;
    it(`${f.name} trips ${f.trips}`, () => {
      const r = explore(file, [f.name]);
      expect(r.outcome.k, JSON.stringify(r.outcome)).toBe('violation');
      if (r.outcome.k !== 'violation') return;
      const found = r.outcome.found;
      expect(found.violations.map((v) => v.invariant)).toContain(f.trips);
      // No longer than check's shrunk counterexample, kept as the fault's regression.
      const regression = JSON.parse(readFileSync(`test/regressions/${f.name}.json`, 'utf8'));
      expect(found.steps.length).toBeLessThanOrEqual(regression.steps.length);
      // The written file is a valid trace that replays to the same invariant (replay exits 1).
      const trace = validateTrace(JSON.parse(traceText(found.trace)));
      const again = replay(trace);
      expect(again.ok).toBe(false);
      expect(again.failStep).toBe(trace.steps.length - 1);
      expect(again.violations?.map((v) => v.invariant)).toContain(f.trips);
    });
    it(`${f.name}: without the fault the scope is verified complete`, () => {
      const r = explore(file, []);
      expect(r.outcome.k, JSON.stringify(r.outcome)).toBe('verified');
      expect(r.stats.states).toBeGreaterThan(1);
    });
  }
});

describe('the peer slice', () => {
  it('notifier-3x2 is verified complete', () => {
    const r = explore('scopes/notifier-3x2.json', []);
    expect(r.outcome.k).toBe('verified');
    expect(r.stats.states).toBeGreaterThan(1000);
  });

  it('notifier-3x2 with skip-read-retry: the shortest trace is three commands after the setup', () => {
    const r = explore('scopes/notifier-3x2.json', ['skip-read-retry']);
    expect(r.outcome.k).toBe('violation');
    if (r.outcome.k !== 'violation') return;
    expect(r.outcome.found.violations.map((v) => v.invariant)).toContain('Map.NoStalePfn');
    // Start one read for one step (read_begin), run a migration, finish the read: no trace
    // with fewer commands can race a migration into a fault.
    expect(r.outcome.found.commands).toBe(3);
  });
});

describe('a livelock that mints ids each round', () => {
  it('exclusive-vs-cpu-write is verified complete with the ids reduction, and endless without it', () => {
    const file = 'scopes/exclusive-vs-cpu-write.json';
    const r = explore(file, []);
    expect(r.outcome.k).toBe('verified');
    expect(r.stats.states).toBeLessThan(100);
    const without = new Exploration(loadScope(file), file, {
      faults: [],
      reductions: { ...DEFAULT_REDUCTIONS, ids: false },
      bounds: { ...UNBOUNDED, maxDepth: 300 },
    }).runAll();
    expect(without.outcome).toEqual({ k: 'cut', by: 'max-depth' });
  });
});
