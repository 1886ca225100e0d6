/** The command line: exit codes, one clear line for bad input, never a stack trace. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { checkCli, cli } from './support/cli.js';
import { tempDir, writeTemp } from './support/files.js';

const CONFIG = {
  systemFrames: 4,
  devices: [{ id: 'gpu0', vramFrames: 2 }],
  importers: [{ id: 'm0', kind: 'mirror', device: 'gpu0' }],
};

function trace(steps: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 'devmem-trace/1', config: CONFIG, steps, ...extra });
}

/** Invalid input: exit 2 and one line on stderr naming the problem, never a stack trace. */
function expectOneLine(r: { code: number; err: string; out: string }, text: string): void {
  expect(r.code).toBe(2);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).toContain(text);
  expect(r.err).not.toMatch(/\n\s+at /);
}

/** Bad usage: exit 2, one line naming the problem, then the command's usage line. */
function expectUsage(r: { code: number; err: string; out: string }, text: string): void {
  expect(r.code).toBe(2);
  const lines = r.err.split('\n');
  expect(lines, r.err).toHaveLength(2);
  expect(lines[0]).toContain(text);
  expect(lines[1]).toMatch(/^usage: devmem-model /);
}

describe('the installed command', () => {
  it('runs as `npx devmem-model`, as the README says (the built bin is executable)', () => {
    const out = execFileSync('npx', ['--no-install', 'devmem-model', 'faults'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out).toContain('skip-read-retry');
  });
});

describe('devmem-model faults', () => {
  it('lists every fault with the invariant it must trip', () => {
    const r = cli('faults');
    expect(r.code).toBe(0);
    expect(r.out).toContain('skip-read-retry');
    expect(r.out).toContain('Map.NoStalePfn');
  });
});

describe('devmem-model check progress', () => {
  it('shows runs, steps per second, elapsed time and the seed on a terminal', () => {
    const lines: string[] = [];
    const io: Io = { out: () => {}, err: () => {}, tty: true, progress: (l) => lines.push(l) };
    const code = main(
      ['check', '--workers', '1', '--runs', '200', '--seed', '5', '--out', tempDir()],
      io,
    );
    expect(code).toBe(0);
    expect(lines.some((l) => /run \d+\/200 · [\d,]+ steps\/s · [\d.]+ s · seed 5/.test(l))).toBe(
      true,
    );
  });

  it('prints nothing but the result off a terminal', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      tty: false,
      progress: () => err.push('progress'),
    };
    main(['check', '--workers', '1', '--runs', '200', '--seed', '5', '--out', tempDir()], io);
    // No progress display; only the heartbeat, every 10 s, which a slow machine may reach.
    const heartbeat = /^check: run [\d,]+\/200 · [\d,]+ steps\/s · [\d.]+ s · seed 5$/;
    expect(err.filter((l) => !heartbeat.test(l))).toEqual([]);
    expect(out.join('\n')).toContain('ok: no violation in 200 runs');
  });
});

describe('devmem-model check', () => {
  it('exits 0 with no fault and prints its defaults, seed and configuration', () => {
    const r = checkCli('--runs', '150', '--seed', '3', '--out', tempDir());
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('seed 3');
    expect(r.out).toContain('max-steps 120 (default)');
    expect(r.out).toContain('config: built-in');
    expect(r.out).toMatch(/ok: no violation in 150 runs/);
  });

  it('rejects bad usage with exit 2, one line and the usage line', () => {
    expectUsage(checkCli('--runs', 'many'), 'Expected an integer from 1 to');
    expectUsage(checkCli('--faults', 'no-such-fault'), 'Unknown fault "no-such-fault"');
    expectUsage(checkCli('--bogus'), "unknown option '--bogus'");
    expectUsage(cli('nonsense'), "unknown command 'nonsense'");
    expectOneLine(checkCli('--config', '/nonexistent/config.json'), 'cannot read');
  });

  it('takes a configuration file', () => {
    const f = writeTemp('config.json', JSON.stringify(CONFIG));
    const r = checkCli('--runs', '50', '--seed', '1', '--config', f, '--out', tempDir());
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`config: ${f}`);
  });

  it('rejects an invalid configuration file with one line', () => {
    const f = writeTemp(
      'config.json',
      JSON.stringify({ ...CONFIG, importers: [{ id: 'm0', kind: 'mirror', device: 'gpu9' }] }),
    );
    expectOneLine(checkCli('--config', f), 'importers[0].device: "gpu9" is not a device');
  });
});

describe('devmem-model replay of invalid input', () => {
  const cases: [string, string, string][] = [
    ['a missing file', '', 'cannot read'],
    ['invalid JSON', '{"format": ', 'invalid JSON'],
    ['a root that is not an object', '[1,2]', 'root is not a JSON object'],
    [
      'another format',
      JSON.stringify({ format: 'devmem-trace/2', config: CONFIG, steps: [] }),
      'format: expected "devmem-trace/1"',
    ],
    [
      'a missing config',
      JSON.stringify({ format: 'devmem-trace/1', steps: [] }),
      'config: missing',
    ],
    [
      'a missing systemFrames',
      JSON.stringify({ format: 'devmem-trace/1', config: {}, steps: [] }),
      'config.systemFrames: missing',
    ],
    [
      'an unknown op',
      trace([{ op: 'obj.frobnicate', args: {} }]),
      'step 0 op: unknown operation "obj.frobnicate"',
    ],
    [
      'a mistyped argument',
      trace([{ op: 'cpu.read', args: { obj: 'a', page: 'zero' } }]),
      'step 0 args page',
    ],
    [
      'a missing argument',
      trace([{ op: 'cpu.write', args: { obj: 'a', page: 0 } }]),
      'step 0 args value',
    ],
    [
      'an unknown importer',
      trace([{ op: 'imp.attach', args: { importer: 'nic9', obj: 'a' } }]),
      'step 0 args.importer: "nic9" is not an importer',
    ],
    [
      'an unknown device',
      trace([{ op: 'obj.migrate', args: { obj: 'a', to: 'vram', device: 'gpu7' } }]),
      'step 0 args.device: "gpu7" is not a device',
    ],
    ['an unknown fault', trace([], { faults: ['nope'] }), 'faults: unknown fault "nope"'],
    [
      'an undefined label',
      trace([{ op: 'step', args: { proc: 'm1' } }]),
      'step 0 args.proc: no earlier step defines label "m1"',
    ],
    [
      'a label defined twice',
      trace([
        { op: 'obj.create', args: { obj: 'a', kind: 'anon', pages: 1 }, start: 'x' },
        { op: 'obj.create', args: { obj: 'b', kind: 'anon', pages: 1 }, start: 'x' },
      ]),
      'step 1 start: label "x" is defined twice',
    ],
  ];
  for (const [what, content, text] of cases) {
    it(`rejects ${what}`, () => {
      const file = content === '' ? '/nonexistent/trace.json' : writeTemp('t.json', content);
      const r = cli('replay', file);
      expectOneLine(r, text);
      expect(r.err).toContain(file);
    });
  }

  it('rejects a fault given on the command line that does not exist', () => {
    expectUsage(
      cli('replay', writeTemp('t.json', trace([])), '--faults', 'nope'),
      'Unknown fault "nope"',
    );
  });
});
