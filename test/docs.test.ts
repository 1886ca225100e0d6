/**
 * The reference in docs/ is generated from the machines, the catalogue and the regression
 * counterexamples: it must not drift, and every invariant is linked from at least one rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anchor } from '../properties/docs/catalogue-doc.js';
import { driftedDocs } from '../properties/docs/generate.js';
import { INVARIANTS } from '../properties/invariants/index.js';

describe('docs/', () => {
  it('matches what the models generate (run `npm run docs` after changing a machine)', () => {
    expect(driftedDocs('.')).toEqual([]);
  });

  it('links every invariant from a rule of a mechanism page', () => {
    const pages = readdirSync('docs/mechanisms').map((f) =>
      readFileSync(`docs/mechanisms/${f}`, 'utf8'),
    );
    const unlinked = INVARIANTS.filter(
      (inv) => !pages.some((p) => p.includes(`invariants.md#${anchor(inv.name)}`)),
    ).map((i) => i.name);
    expect(unlinked).toEqual([]);
  });
});
