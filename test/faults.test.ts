/**
 * The fault catalogue is how every property shows it can fail: with each fault on, `check`
 * reports the invariant the catalogue names for it (another invariant alone does not count),
 * and the counterexample it writes replays to that invariant. To keep the suite quick the search
 * is focused on the fault's operation families (`--focus`, a user's hint); `npm run bench`
 * measures detection with no hint.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../src/world/faults.js';
import { cli, cliAsync } from './support/cli.js';
import { tempDir } from './support/files.js';

describe('fault catalogue', () => {
  for (const f of FAULTS) {
    it(`${f.name} trips ${f.trips}`, async () => {
      const out = tempDir();
      const focus = f.families.join(',');
      // Split over worker threads, as a user's check is by default.
      const r = await cliAsync(
        'check',
        '--faults',
        f.name,
        '--focus',
        focus,
        '--seed',
        '1',
        '--runs',
        '40000',
        '--out',
        out,
      );
      expect(r.code, r.out + r.err).toBe(1);
      expect(r.out).toContain(`  ${f.trips}: `);
      const file = /counterexample: (\S+)/.exec(r.out)?.[1] ?? '';
      const trace = JSON.parse(readFileSync(file, 'utf8'));
      expect(trace.found.invariants).toContain(f.trips);
      expect(trace.expect).toBeUndefined();
      const again = cli('replay', file);
      expect(again.code).toBe(1);
      expect(again.out).toContain(`  ${f.trips}: `);
    });
  }
});
