/**
 * The tests Stryker runs against each mutant (`npm run mutation`): the suites that run the
 * model in this process. Tests that spawn a child process (`npx`, a nested vitest, `npm pack`)
 * or search in worker threads (check's default `--workers`) load the unmutated code there and
 * never see the active mutant, so they would only cost time. The fault catalogue is still here:
 * every fault's shrunk counterexample replays in test/regressions, and explore finds every fault
 * on its scope (test/explore.test.ts). test/docs.test.ts is left out too: it reads the source
 * files, which Stryker has instrumented, so it fails before any mutant is active;
 * test/docs-catalogue.test.ts checks the statements and counterexample messages instead.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const MUTATION_TESTS = [
  'test/scenarios.test.ts',
  'test/explore.test.ts',
  'test/explore-state.test.ts',
  'test/misuse.test.ts',
  'test/schema.test.ts',
  'test/cli-input.test.ts',
  'test/docs-catalogue.test.ts',
  'test/lock-on-return.test.ts',
  'test/shapes.test.ts',
  'test/spec-cache.test.ts',
  // Half the time of a surviving mutant (10 of 19 s) goes to re-exploring small scopes with each
  // reduction on and off, which guards the explorer's reductions; run.mjs asks for it only when
  // it mutates properties/explore/. Elsewhere explore.test.ts explores the same scopes.
  ...(process.env.DEVMEM_MUTATION_EXPLORER === '1'
    ? ['test/explore-reductions.test.ts', 'test/explore-ids.test.ts']
    : []),
];

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: MUTATION_TESTS,
    setupFiles: ['test/mutation/setup.ts'],
    testTimeout: 60_000,
  },
});
