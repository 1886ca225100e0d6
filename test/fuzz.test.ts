/**
 * Fuzzing the command line with malformed and mutated trace files, configurations and arguments:
 * every case ends in exit 0, 1 or 2 (never 3, a crash), with at most one line on stderr, in
 * bounded time; a file the contract says must be refused is refused (exit 2), never accepted
 * silently; and what the loader accepts, the shipped JSON Schema accepts too. Every 25th case
 * also goes through the real binary in a child process, where an abort or a hang would show.
 *
 * `npm test` runs a few hundred cases with a fixed seed; `npm run fuzz` runs FUZZ_RUNS (10,000)
 * with FUZZ_SEED (default: from the clock, printed).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../properties/check/defaults.js';
import { configToInput } from '../src/world/config.js';
import { cli } from './support/cli.js';
import { tempDir } from './support/files.js';
import { corpus, type Mutant, mutantArb } from './support/mutate.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
// A fixed seed in npm test (no flakes); npm run fuzz draws one unless FUZZ_SEED is given.
const SEED = Number(
  process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : 20261202),
);
/** Bound on one case, far above what any case takes (tens of ms), below a hang. */
const CASE_MS = 10_000;
/** The binary also starts a process: on a loaded machine that alone can take seconds. */
const BINARY_MS = 30_000;
const BINARY_EVERY = 25;

const schema = new Ajv2020({ strict: false }).compile(
  JSON.parse(readFileSync('schema/devmem-trace-1.json', 'utf8')),
);
const dir = tempDir();
let n = 0;
/** Exit codes seen, so the test can show the fuzz reaches past the loader. */
const seen = new Map<number, number>();

interface Outcome {
  readonly code: number;
  readonly err: string;
  readonly ms: number;
}

function inProcess(argv: string[]): Outcome {
  const t0 = performance.now();
  const r = cli(...argv);
  return { code: r.code, err: r.err, ms: performance.now() - t0 };
}

function binary(argv: string[]): Outcome {
  const t0 = performance.now();
  const r = spawnSync('node', ['dist/src/cli/main.js', ...argv], {
    encoding: 'utf8',
    timeout: BINARY_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return {
    code: r.status ?? (r.signal ? -1 : -2),
    err: (r.stderr ?? '').trimEnd(),
    ms: performance.now() - t0,
  };
}

function assertClean(o: Outcome, what: string, bound = CASE_MS): void {
  expect([0, 1, 2], `${what}\nexit ${o.code}: ${o.err}`).toContain(o.code);
  expect(o.err === '' ? 0 : o.err.split('\n').length, `${what}\n${o.err}`).toBeLessThanOrEqual(1);
  expect(o.err, what).not.toMatch(/\n\s+at /);
  expect(o.ms, what).toBeLessThan(bound);
}

function runCase(m: Mutant, argvOf: (file: string) => string[], kind: string): Outcome {
  const file = join(dir, `case-${n++ % 64}.json`);
  writeFileSync(file, m.text);
  const argv = argvOf(file);
  const what = `${kind}: ${m.what.join('; ')}`;
  const o = inProcess(argv);
  seen.set(o.code, (seen.get(o.code) ?? 0) + 1);
  assertClean(o, what);
  if (m.mustRefuse) expect(o.code, `${what}: accepted silently`).toBe(2);
  if (n % BINARY_EVERY === 0) {
    const b = binary(argv);
    assertClean(b, `${what} (binary)`, BINARY_MS);
    expect(b.code, `${what}: the binary and main() disagree`).toBe(o.code);
  }
  return o;
}

const params = { numRuns: RUNS, seed: SEED, endOnFailure: true } as const;

describe(`fuzz (${RUNS} cases per property, seed ${SEED})`, () => {
  const traces = corpus();

  it(
    'mutated trace files: replay ends in 0, 1 or 2 with at most one line, refusing what it must',
    () => {
      fc.assert(
        fc.property(mutantArb(traces), (m) => {
          const o = runCase(m, (f) => ['replay', f], 'replay');
          // What the loader accepts, an editor with the JSON Schema must not flag.
          if (o.code !== 2) expect(schema(JSON.parse(m.text)), m.what.join('; ')).toBe(true);
        }),
        params,
      );
      // Mutants that stay valid replay: the fuzz reaches the kernel, not only the loader.
      console.log(`fuzz: replay exit codes ${JSON.stringify(Object.fromEntries(seen))}`);
      expect(seen.get(0) ?? 0).toBeGreaterThan(RUNS / 20);
      expect(seen.get(1) ?? 0).toBeGreaterThan(0);
      expect(seen.get(2) ?? 0).toBeGreaterThan(RUNS / 5);
    },
    RUNS * 200 + 60_000,
  );

  it(
    'mutated configurations: check --config ends in 0, 1 or 2 with at most one line',
    () => {
      const configs = [
        configToInput(DEFAULT_CONFIG),
        ...traces.map((t) => (t as { config: never }).config),
      ];
      fc.assert(
        fc.property(mutantArb(configs as never, []), fc.nat({ max: 1000 }), (m, seed) => {
          runCase(
            m,
            (f) => [
              'check',
              '--workers',
              '1',
              '--config',
              f,
              '--runs',
              '3',
              '--max-steps',
              '20',
              '--seed',
              String(seed),
              '--out',
              join(dir, 'out'),
            ],
            'check --config',
          );
        }),
        { ...params, numRuns: Math.max(20, Math.floor(RUNS / 5)) },
      );
    },
    RUNS * 200 + 60_000,
  );

  it(
    'random arguments end in 0, 1 or 2 with at most a message and a usage line',
    () => {
      const words = fc.constantFrom(
        '--runs',
        '--seed',
        '--max-steps',
        '--device-events',
        '--faults',
        '--config',
        '--out',
        '--json',
        '--coverage',
        '--coverage-floor',
        '--time',
        '--from',
        '--mermaid',
        '--exit-code',
        '--as-found',
        '--expect-pass',
        '--check',
        '--help',
        '-h',
        '--version',
        '--bogus',
        '-x',
        '--',
        '0',
        '-5',
        '1e23',
        '99999999999999999999',
        '0x10',
        '1.5',
        ',',
        'skip-read-retry',
        'skip-read-retry,',
        'nope',
        '',
        '/dev/null',
        '/nonexistent',
        'test/regressions/migrate-ignores-pin.json',
        'test/scenarios',
      );
      fc.assert(
        fc.property(
          fc.constantFrom(
            'check',
            'replay',
            'faults',
            'export-test',
            'help',
            'nonsense',
            '--version',
          ),
          fc.array(words, { maxLength: 6 }),
          (cmd, rest) => {
            // Bounded however the words combine: later options win.
            const tail =
              cmd === 'check'
                ? [
                    '--runs',
                    '2',
                    '--max-steps',
                    '10',
                    '--time',
                    '1',
                    '--workers',
                    '1',
                    '--out',
                    join(dir, 'out'),
                  ]
                : [];
            const argv = [cmd, ...rest.filter((w) => w !== '--check' && w !== '--from'), ...tail];
            const t0 = performance.now();
            const r = cli(...argv);
            const what = argv.join(' ');
            expect([0, 1, 2], `${what}: ${r.err}`).toContain(r.code);
            expect(
              r.err === '' ? 0 : r.err.split('\n').length,
              `${what}\n${r.err}`,
            ).toBeLessThanOrEqual(r.code === 2 ? 2 : 1);
            expect(r.err, what).not.toMatch(/\n\s+at /);
            expect(performance.now() - t0, what).toBeLessThan(CASE_MS);
          },
        ),
        { ...params, numRuns: Math.max(20, Math.floor(RUNS / 5)) },
      );
    },
    RUNS * 200 + 60_000,
  );
});
