/** The default check reaches most of the specification; the floor is stated here. */
import { expect, it } from 'vitest';
import { checkCli } from './support/cli.js';
import { tempDir } from './support/files.js';

const COVERAGE_FLOOR = 95;

it(`the default check reaches at least ${COVERAGE_FLOOR}% of the specification's transitions`, () => {
  const r = checkCli('--seed', '1', '--coverage-floor', String(COVERAGE_FLOOR), '--out', tempDir());
  expect(r.code, r.out).toBe(0);
  expect(r.out).toMatch(/coverage of the specification: \d+\/\d+ transitions/);
  // The whole default check (10,000 runs): ~25 s on an idle 2-core machine, 383 s in a 20× flakes
  // run with four other jobs on the same two cores. The timeout is for a hang, not for the load.
}, 900_000);

it('lists the transitions a short run did not reach', () => {
  const r = checkCli('--seed', '1', '--runs', '20', '--coverage', '--out', tempDir());
  expect(r.out).toContain('not reached:');
  const low = checkCli(
    '--seed',
    '1',
    '--runs',
    '20',
    '--coverage-floor',
    '100',
    '--out',
    tempDir(),
  );
  expect(low.code).toBe(1);
  expect(low.out).toContain('below the floor of 100%');
});
