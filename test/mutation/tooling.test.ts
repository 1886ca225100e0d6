/**
 * The mutation run's pure parts (test/mutation/select.mjs, merge.mjs): slices are disjoint,
 * cover every file and are balanced; bad --shard values are refused; merged reports keep every
 * mutant and point each at the right tests; every test file is either run against mutants or named
 * as out of process. (Stryker itself runs behind `npm run mutation`.)
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeReports, scoreTable } from './merge.mjs';
import { parseShard, runName, selectFiles, slices } from './select.mjs';

const filesArb = fc.uniqueArray(
  fc.record({
    path: fc.stringMatching(/^(src|properties)\/[a-z]{1,3}(\/[a-z]{1,3})?\.ts$/),
    size: fc.nat({ max: 20_000 }),
  }),
  { selector: (f) => f.path, maxLength: 60 },
);

describe('slices', () => {
  it('are disjoint, cover every file, and differ by at most one file in bytes', () => {
    fc.assert(
      fc.property(filesArb, fc.integer({ min: 1, max: 12 }), (files, n) => {
        const s = slices(files, n);
        expect(s).toHaveLength(n);
        const all = s.flat();
        expect([...all].sort()).toEqual(files.map((f) => f.path).sort());
        expect(new Set(all).size).toBe(all.length);
        const size = new Map(files.map((f) => [f.path, f.size]));
        const bytes = s.map((paths) => paths.reduce((t, p) => t + (size.get(p) ?? 0), 0));
        const largest = Math.max(0, ...files.map((f) => f.size));
        expect(Math.max(...bytes) - Math.min(...bytes)).toBeLessThanOrEqual(largest);
      }),
    );
  });

  it('do not depend on the order the files are listed in', () => {
    fc.assert(
      fc.property(filesArb, fc.integer({ min: 1, max: 6 }), (files, n) => {
        expect(slices([...files].reverse(), n)).toEqual(slices(files, n));
      }),
    );
  });

  it('are what --shard i/n selects, after the PATHs', () => {
    const files = [
      { path: 'properties/invariants/a.ts', size: 10 },
      { path: 'src/kernel/b.ts', size: 30 },
      { path: 'src/kernel/c.ts', size: 20 },
      { path: 'src/ops/d.ts', size: 5 },
    ];
    expect(selectFiles(files, { paths: ['src/kernel'] })).toEqual([
      'src/kernel/b.ts',
      'src/kernel/c.ts',
    ]);
    expect(selectFiles(files, { paths: ['src/kernel/c.ts'] })).toEqual(['src/kernel/c.ts']);
    expect(selectFiles(files, { paths: ['src/k'] })).toEqual([]);
    const one = selectFiles(files, { shard: { index: 1, count: 2 } });
    const two = selectFiles(files, { shard: { index: 2, count: 2 } });
    // b (30) to 1, c (20) to 2, a (10) to 2, d (5) to the lower of two slices of 30.
    expect(one).toEqual(['src/kernel/b.ts', 'src/ops/d.ts']);
    expect(two).toEqual(['properties/invariants/a.ts', 'src/kernel/c.ts']);
    expect(runName({ paths: ['src/kernel'], shard: { index: 2, count: 8 } })).toBe(
      'src-kernel+shard-2-of-8',
    );
    expect(runName({})).toBe('all');
  });
});

describe('--shard', () => {
  it('takes i/n with 1 ≤ i ≤ n ≤ 1000', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(parseShard('1000/1000')).toEqual({ index: 1000, count: 1000 });
    for (const bad of ['', '0/3', '4/3', '1/0', '-1/3', '1/3x', ' 1/3', '1.5/3', '1/1001', 'a/b']) {
      expect(() => parseShard(bad), bad).toThrow(/^--shard takes i\/n/);
    }
  });
});

const mutant = (id: string, status: string, killedBy?: string[]) => ({
  id,
  mutatorName: 'EqualityOperator',
  location: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } },
  status,
  coveredBy: ['0', '1'],
  ...(killedBy ? { killedBy } : {}),
});

function report(file: string, tests: string[], mutants: ReturnType<typeof mutant>[]) {
  return {
    schemaVersion: '1.0',
    thresholds: { high: 90, low: 80 },
    files: { [file]: { language: 'typescript', source: 'x', mutants } },
    testFiles: { 'test/t.test.ts': { tests: tests.map((name, i) => ({ id: String(i), name })) } },
  };
}

describe('merging shard reports', () => {
  it('keeps every file and renumbers tests so each mutant points at the test that killed it', () => {
    const a = report('src/kernel/a.ts', ['first', 'second'], [mutant('0', 'Killed', ['1'])]);
    const b = report('src/ops/b.ts', ['second', 'third'], [mutant('0', 'Killed', ['1'])]);
    const { report: merged, notes } = mergeReports([
      { name: 'a', report: a },
      { name: 'b', report: b },
    ]);
    expect(notes).toEqual([]);
    const tests = merged.testFiles['test/t.test.ts']?.tests ?? [];
    expect(tests.map((t) => t.name)).toEqual(['first', 'second', 'third']);
    const name = (id: string | undefined) => tests.find((t) => t.id === id)?.name;
    expect(name(merged.files['src/kernel/a.ts']?.mutants[0]?.killedBy?.[0])).toBe('second');
    expect(name(merged.files['src/ops/b.ts']?.mutants[0]?.killedBy?.[0])).toBe('third');
    expect(merged.files['src/ops/b.ts']?.mutants[0]?.coveredBy?.map(name)).toEqual([
      'second',
      'third',
    ]);
  });

  it('merges a file mutated twice mutant by mutant, the later result winning, and says so', () => {
    const at = (line: number, m: ReturnType<typeof mutant>) => ({
      ...m,
      location: { start: { line, column: 1 }, end: { line, column: 2 } },
    });
    const whole = report(
      'src/kernel/a.ts',
      ['t'],
      [at(1, mutant('0', 'Survived')), at(2, mutant('1', 'Survived'))],
    );
    const lines = report('src/kernel/a.ts', ['t'], [at(2, mutant('0', 'Killed', ['0']))]);
    const { report: merged, notes } = mergeReports([
      { name: 'whole', report: whole },
      { name: 'lines', report: lines },
    ]);
    expect(merged.files['src/kernel/a.ts']?.mutants.map((m) => m.status)).toEqual([
      'Survived',
      'Killed',
    ]);
    expect(notes).toEqual(["src/kernel/a.ts: results of lines update whole's mutant by mutant"]);
  });

  it('replaces the results of a file whose source changed since', () => {
    const old = report('src/kernel/a.ts', ['t'], [mutant('0', 'Survived')]);
    const now = report('src/kernel/a.ts', ['t'], [mutant('0', 'Killed', ['0'])]);
    const file = now.files['src/kernel/a.ts'];
    if (file) file.source = 'y';
    const { report: merged, notes } = mergeReports([
      { name: 'old', report: old },
      { name: 'new', report: now },
    ]);
    expect(merged.files['src/kernel/a.ts']?.mutants.map((m) => m.status)).toEqual(['Killed']);
    expect(notes).toEqual(['src/kernel/a.ts: changed since old; the results of new replace them']);
  });

  it('scores every folder and file', () => {
    const a = report(
      'src/kernel/a.ts',
      ['t'],
      [mutant('0', 'Killed', ['0']), mutant('1', 'Survived')],
    );
    const b = report('src/ops/b.ts', ['t'], [mutant('0', 'Timeout'), mutant('1', 'NoCoverage')]);
    const { report: merged } = mergeReports([
      { name: 'a', report: a },
      { name: 'b', report: b },
    ]);
    const table = scoreTable(merged);
    expect(table).toContain('| **src/** | 4 | 1 | 1 | 1 | 1 | 0 | 50.0% | 66.7% |');
    expect(table).toContain('| src/kernel/a.ts | 2 | 1 | 0 | 1 | 0 | 0 | 50.0% | 50.0% |');
    expect(table).toContain('| src/ops/b.ts | 2 | 0 | 1 | 0 | 1 | 0 | 50.0% | 100.0% |');
  });

  it('refuses what is not a report', () => {
    expect(() => mergeReports([])).toThrow('no report to merge');
    expect(() => mergeReports([{ name: 'x.json', report: [] }])).toThrow(
      'x.json is not a mutation report',
    );
  });
});

describe('the test selection', () => {
  it('names every test file: run against mutants, or out of process for a stated reason', async () => {
    // A new in-process test file left out of MUTATION_TESTS kills nothing under Stryker and
    // nobody notices (the return invariants scored 48% that way): classify each new file here.
    const { MUTATION_TESTS } = await import('./vitest.config.js');
    const outOfProcess: Record<string, string> = {
      'test/arrows.test.ts': 'reads source files (Stryker instruments them)',
      'test/cli-check.test.ts': 'spawns the command line',
      'test/cli-conventions.test.ts': 'spawns the command line',
      'test/cli.test.ts': 'spawns the command line',
      'test/coverage.test.ts': 'searches in worker threads',
      'test/docs.test.ts': 'reads source files (Stryker instruments them)',
      'test/explore-cli.test.ts': 'spawns the command line',
      'test/explore-ids.test.ts': 'with the explorer only (DEVMEM_MUTATION_EXPLORER)',
      'test/explore-reductions.test.ts': 'with the explorer only (DEVMEM_MUTATION_EXPLORER)',
      'test/export-test.test.ts': 'runs a nested vitest',
      'test/faults.test.ts': 'searches in worker threads',
      'test/fuzz.test.ts': 'spawns the command line',
      'test/links.test.ts': 'reads docs only',
      'test/package.test.ts': 'packs and installs the package',
      'test/mutation/tooling.test.ts': 'tests the mutation tooling itself',
    };
    const files = [
      ...readdirSync('test')
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => `test/${f}`),
      ...readdirSync('test/mutation')
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => `test/mutation/${f}`),
    ];
    const unnamed = files.filter((f) => !MUTATION_TESTS.includes(f) && !(f in outOfProcess));
    expect(unnamed).toEqual([]);
    for (const f of MUTATION_TESTS) expect(files, f).toContain(f);
  });
});
