/**
 * Misuse of the simulated kernel API (double unpin, map without attach, unknown objects,
 * operations on a gone device, wrong argument values) returns an errno and changes nothing.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../properties/check/defaults.js';
import { runChoices } from '../properties/check/run.js';
import { fullProfile } from '../properties/gen/profile.js';
import { Session } from '../properties/session.js';
import { TraceRunner } from '../properties/trace/runner.js';
import { OP_NAMES } from '../src/exec/registry.js';

const NAMES = ['a', 'b', 'c', 'zz'];
const IMPORTERS = [...DEFAULT_CONFIG.importers.map((i) => i.id), 'nobody'];
const DEVICES = ['gpu0', 'gpu1', 'gpu9'];

const argsArb = fc.record(
  {
    obj: fc.constantFrom(...NAMES),
    importer: fc.constantFrom(...IMPORTERS),
    device: fc.constantFrom(...DEVICES),
    page: fc.integer({ min: -1, max: 4 }),
    value: fc.integer({ min: -1, max: 9 }),
    pages: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom('anon', 'bo', 'file'),
    to: fc.constantFrom('vram', 'system', 'disk'),
  },
  { requiredKeys: [] },
);

it('an operation that fails validation changes nothing', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.array(fc.tuple(fc.constantFrom(...OP_NAMES), argsArb), { maxLength: 30 }),
      (choices, attempts) => {
        // Build some state first, then try operations with arbitrary arguments.
        const out = runChoices(DEFAULT_CONFIG, [], fullProfile(DEFAULT_CONFIG, 2), choices);
        const session = new Session(DEFAULT_CONFIG, []);
        const runner = new TraceRunner(session);
        for (const [i, s] of out.steps.entries()) runner.exec(s, i);
        for (const [op, args] of attempts) {
          const before = JSON.stringify({ ...session.w, log: null });
          const r = session.spawn(op, args, 'x');
          if ('result' in r) {
            expect(r.result.ok).toBe(false);
            expect(JSON.stringify({ ...session.w, log: null })).toBe(before);
          } else {
            // It started: let it finish so the next attempt sees a settled world.
            runner.exec({ op: 'finish', args: { proc: 'x' } }, 0);
            session.w.procs = session.w.procs.filter((p) => p.label !== 'x');
          }
        }
      },
    ),
    { numRuns: 60, seed: 42 },
  );
});
