import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Every core: vitest's default leaves one of two idle, and most files here run in one thread.
    maxWorkers: availableParallelism(),
  },
});
