/**
 * What users read of the catalogue is what the code says: every invariant's statement is on the
 * invariants page, every fault's description on the faults page, and every fault's shrunk
 * counterexample replays to the diagram shown there, violation messages included. The same
 * drift is caught by test/docs.test.ts, which also reads the source files; this one reads only
 * docs/, so the mutation run can use it (a mutant that rewords a message fails here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../properties/invariants/index.js';
import { loadTrace } from '../properties/trace/load.js';
import { mermaid } from '../properties/trace/mermaid.js';
import { replay } from '../properties/trace/replay.js';
import { FAULTS } from '../src/world/faults.js';

const invariantsPage = readFileSync('docs/reference/invariants.md', 'utf8');
const faultsPage = readFileSync('docs/reference/faults.md', 'utf8');

describe('docs/reference', () => {
  it('states every invariant as its code does (`npm run docs` after changing one)', () => {
    const missing = INVARIANTS.filter(
      (i) => !invariantsPage.includes(`## ${i.name}\n\n${i.statement}\n`),
    ).map((i) => i.name);
    expect(missing).toEqual([]);
  });

  for (const f of FAULTS) {
    const file = `test/regressions/${f.name}.json`;
    it(`shows ${f.name} and the counterexample ${file} replays to`, () => {
      expect(faultsPage).toContain(f.what);
      expect(existsSync(file), `${file} is missing`).toBe(true);
      const t = loadTrace(file);
      const diagram = mermaid(t, replay(t));
      expect(diagram).toContain(f.trips);
      expect(faultsPage.includes(diagram), 'the diagram drifted: run `npm run docs`').toBe(true);
    });
  }
});
