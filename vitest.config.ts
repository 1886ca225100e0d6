import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Timeouts catch hangs, not slowness: `npm run flakes` runs the suite on a loaded machine,
    // where a test that takes 40 s idle can take several minutes (and 60 s timed some out).
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Every core: vitest's default leaves one of two idle, and most files here run in one thread.
    maxWorkers: availableParallelism(),
  },
});
