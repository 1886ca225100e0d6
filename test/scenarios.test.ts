/**
 * Scenario traces (hand-written from the contract) and the regression corpus (shrunk
 * counterexamples kept with their expected violation) replay as they say.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrace } from '../properties/trace/load.js';
import { replay } from '../properties/trace/replay.js';

function traces(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

for (const dir of ['test/scenarios', 'test/regressions']) {
  describe(dir, () => {
    const files = traces(dir);
    it('holds traces', () => {
      expect(files.length).toBeGreaterThan(0);
    });
    for (const file of files) {
      it(file.slice(dir.length + 1), () => {
        const r = replay(loadTrace(file));
        const failed = r.steps
          .filter((s) => s.expectMet === false)
          .map(
            (s) =>
              `step ${s.index}: got ${JSON.stringify(s.result)}, expected ${JSON.stringify(s.step.expect)}`,
          );
        expect(failed).toEqual([]);
        expect(
          r.violations?.map((v) => `${v.invariant}: ${v.message}`) ?? [],
          'violations',
        ).toEqual(
          r.expectedViolation.length > 0
            ? expect.arrayContaining([
                expect.stringMatching(new RegExp(`^(${r.expectedViolation.join('|')})`)),
              ])
            : [],
        );
        // What a finding involves is named once each (a reader scans "involved:" for ids).
        for (const v of r.violations ?? []) {
          for (const ids of [v.frames ?? [], v.objs ?? [], v.importers ?? []]) {
            const list: readonly unknown[] = ids;
            expect(new Set(list).size, `${v.invariant} involves ${list.join(', ')}`).toBe(
              list.length,
            );
          }
        }
        expect(r.ok).toBe(true);
      });
    }
  });
}
