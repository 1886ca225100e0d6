/**
 * Command-line conventions: per-command help and --version exit 0, bad arguments get the whole
 * message and a usage line (exit 2), an unexpected error is one line and exit 3 (its stack only
 * with --debug), replay --json and --mermaid, colour only when wanted, tables wrapped.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliCommand } from '../src/cli/command.js';
import { terminalColumns, wantsColor } from '../src/cli/io.js';
import { COMMANDS, main } from '../src/cli/program.js';
import { FAULTS } from '../src/world/faults.js';
import { checkCli, cli, recordingIo } from './support/cli.js';
import { writeTemp } from './support/files.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const REGRESSION = 'test/regressions/migrate-ignores-pin.json';

/** The kept regression with its expectation removed: replaying it reports a violation (exit 1). */
function counterexample(): string {
  const t = JSON.parse(readFileSync(REGRESSION, 'utf8'));
  delete t.expect;
  return writeTemp('counterexample.json', JSON.stringify(t));
}

function usage(r: { code: number; err: string }, text: string): void {
  expect(r.code, r.err).toBe(2);
  const lines = r.err.split('\n');
  expect(lines, r.err).toHaveLength(2);
  expect(lines[0]).toContain(text);
  expect(lines[1]).toMatch(/^usage: (devmem-model|npm run bench) /);
}

describe('help and version', () => {
  for (const c of COMMANDS) {
    it(`${c.name} --help prints its usage and options and exits 0`, () => {
      const r = cli(c.name, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: devmem-model ${c.name}`);
      expect(r.out).toContain('--debug');
      expect(r.out).toContain('Exit codes:');
    });
  }

  it('help COMMAND is the same as COMMAND --help', () => {
    expect(cli('help', 'replay').out).toBe(cli('replay', '--help').out);
  });

  it('--version prints the package version and exits 0', () => {
    const r = cli('--version');
    expect(r.code).toBe(0);
    expect(r.out).toBe(VERSION);
  });

  it('no command at all prints the help on stderr and exits 2', () => {
    const r = cli();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Commands:');
  });
});

describe('bad usage', () => {
  it('gives the whole message, not its first line', () => {
    usage(
      checkCli('--runs', '-5'),
      "option '--runs <n>' argument '-5' is invalid. Expected an integer from 1 to 1,000,000,000.",
    );
  });

  it('refuses numbers it cannot take exactly', () => {
    usage(checkCli('--runs', '99999999999999999999'), 'Expected an integer');
    usage(checkCli('--seed', '1e23'), 'Expected an integer from 0 to 2,147,483,647');
    usage(checkCli('--seed', '0x10'), 'Expected an integer');
    usage(checkCli('--max-steps', '0'), 'Expected an integer from 1 to 2,000');
    usage(checkCli('--time', '-1'), 'Expected seconds');
    usage(checkCli('--coverage-floor', '101'), 'Expected an integer from 0 to 100');
  });

  it('refuses empty fault names and extra arguments', () => {
    usage(checkCli('--faults', ','), 'none empty');
    usage(checkCli('--faults', 'skip-read-retry,'), 'none empty');
    usage(cli('faults', 'extra'), "too many arguments for 'faults'");
    usage(checkCli('file.json'), "too many arguments for 'check'");
    usage(cli('replay', 'a.json', 'b.json'), "too many arguments for 'replay'");
    usage(cli('replay'), "missing required argument 'file'");
  });

  it('of npm run bench is the same: a message and a usage line, exit 2, no stack trace', () => {
    const r = spawnSync('node', ['dist/bench/bench.js', '--bogus'], { encoding: 'utf8' });
    usage({ code: r.status ?? -1, err: r.stderr.trimEnd() }, "bench: unknown option '--bogus'");
    const s = spawnSync('node', ['dist/bench/bench.js', '--seeds', '0'], { encoding: 'utf8' });
    expect(s.status).toBe(2);
    expect(s.stderr).toContain('Expected an integer from 1 to 1,000');
  });

  it('suggests the option meant, on the same line', () => {
    usage(checkCli('--rnus', '3'), "unknown option '--rnus' (Did you mean --runs?)");
  });
});

describe('unexpected errors', () => {
  const crashing: CliCommand = {
    name: 'crash',
    define: (cmd) => cmd.description('throws'),
    run: () => {
      throw new TypeError('something is undefined\nsecond line');
    },
  };

  it('print one line naming the cause and exit 3', () => {
    const { io, out, err } = recordingIo();
    expect(main(['crash'], io, [crashing])).toBe(3);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('unexpected error: TypeError: something is undefined second line');
    expect(err[0]).toContain('--debug');
  });

  it('print the stack with --debug', () => {
    const { io, err } = recordingIo();
    expect(main(['crash', '--debug'], io, [crashing])).toBe(3);
    expect(err.join('\n')).toMatch(/TypeError: something is undefined[\s\S]*\n\s+at /);
  });

  it('from an asynchronous command too', async () => {
    const later: CliCommand = { ...crashing, run: () => Promise.reject(new RangeError('late')) };
    const { io, err } = recordingIo();
    expect(await main(['crash'], io, [later])).toBe(3);
    expect(err[0]).toContain('RangeError: late');
  });
});

describe('replay --json', () => {
  it('prints one JSON object per step, then the verdict, and exits with it', () => {
    const r = cli('replay', counterexample(), '--json');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n').map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.type === 'step');
    const verdict = lines.at(-1);
    expect(steps.length).toBe(lines.length - 1);
    expect(steps.map((s) => s.index)).toEqual(steps.map((_, i) => i));
    expect(verdict).toMatchObject({ type: 'verdict', ok: false, violationMet: false });
    expect(verdict.violations.map((v: { invariant: string }) => v.invariant)).toContain(
      'Pin.NeverMoves',
    );
    expect(cli('replay', REGRESSION, '--json').code).toBe(0);
  });
});

describe('replay --mermaid', () => {
  it('prints the diagram in a fence and exits 0 even when the replay fails', () => {
    const r = cli('replay', counterexample(), '--mermaid');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('```mermaid\nsequenceDiagram\n')).toBe(true);
    expect(r.out.endsWith('\n```')).toBe(true);
  });

  it("exits with the replay's verdict with --exit-code", () => {
    expect(cli('replay', counterexample(), '--mermaid', '--exit-code').code).toBe(1);
    expect(cli('replay', REGRESSION, '--mermaid', '--exit-code').code).toBe(0);
  });

  it('still refuses an invalid file (exit 2)', () => {
    expect(cli('replay', writeTemp('bad.json', '{'), '--mermaid').code).toBe(2);
  });
});

describe('colour and width', () => {
  it('colours only when the Io says so', () => {
    const plain = recordingIo();
    main(['replay', counterexample()], plain.io);
    expect(plain.out.join('\n')).not.toContain('\x1b[');
    const colour = recordingIo({ color: true });
    main(['replay', counterexample()], colour.io);
    expect(colour.out.join('\n')).toContain('\x1b[31mFAILED\x1b[39m');
  });

  it('honours NO_COLOR and FORCE_COLOR, and colours a terminal otherwise', () => {
    expect(wantsColor(true, {})).toBe(true);
    expect(wantsColor(false, {})).toBe(false);
    expect(wantsColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor(true, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor(true, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor(false, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('takes the width of the terminal, else $COLUMNS, else 80', () => {
    expect(terminalColumns(132, { COLUMNS: '50' })).toBe(132);
    expect(terminalColumns(undefined, { COLUMNS: '50' })).toBe(50);
    expect(terminalColumns(undefined, {})).toBe(80);
  });

  it('wraps the fault table to the width, keeping every fault', () => {
    for (const columns of [60, 80, 120]) {
      const { io, out } = recordingIo({ columns });
      expect(main(['faults'], io)).toBe(0);
      expect(out.filter((l) => l.length > columns)).toEqual([]);
      for (const f of FAULTS) expect(out.some((l) => l.split(' ')[0] === f.name)).toBe(true);
    }
  });

  it('wraps the replay step table to the width', () => {
    const { io, out } = recordingIo({ columns: 70 });
    main(['replay', REGRESSION], io);
    expect(out.filter((l) => l.length > 70 && !l.includes(' '.repeat(20)))).toEqual([]);
  });

  it('lists the catalogue as JSON with --json', () => {
    const list = JSON.parse(cli('faults', '--json').out) as { name: string; trips: string }[];
    expect(list.map((f) => f.name)).toEqual(FAULTS.map((f) => f.name));
  });
});
