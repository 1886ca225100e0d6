/**
 * StrykerJS for `npm run mutation` (test/mutation/run.mjs passes the files to mutate and the
 * concurrency, and where the reports go in DEVMEM_MUTATION_OUT). The vitest runner with per-test
 * coverage: each mutant runs only the tests that reach it, stopping at the first failure. TypeScript 7 has no JavaScript API, so Stryker's
 * tsconfig rewriting is pointed at nothing and no type checker runs; vitest transpiles by itself
 * (a mutant that would not type-check is run anyway, and is killed or survives like any other).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const out = process.env.DEVMEM_MUTATION_OUT ?? 'reports/mutation/all';

export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  tsconfigFile: '',
  checkers: [],
  concurrency: 1,
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  jsonReporter: { fileName: `${out}/mutation.json` },
  htmlReporter: { fileName: `${out}/mutation.html` },
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  ignorePatterns: ['dist', 'counterexamples', 'reports', '.github'],
  timeoutMS: 10_000,
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
