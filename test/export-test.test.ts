/**
 * The README's loop end to end: check a fault, export the counterexample with export-test, drop
 * the file into test/, and it passes under vitest and passes the project's lint; exported with
 * --expect-pass (the bug fixed) it fails while the fault is still on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCli, cli } from './support/cli.js';
import { tempDir, writeTemp } from './support/files.js';

// Inside test/, where the README says to put it, so vitest's and Biome's configuration apply;
// removed afterwards.
const dir = join('test', `tmp-export-${process.pid}`);

interface FileResult {
  readonly name: string;
  readonly status: string;
}

let results: FileResult[] = [];
let lint = { code: -1, out: '' };

function exported(name: string, ...argv: string[]): string {
  const r = cli('export-test', ...argv);
  expect(r.code, r.err).toBe(0);
  const file = join(dir, `${name}.test.ts`);
  writeFileSync(file, `${r.out}\n`);
  return file;
}

function counterexample(): string {
  const r = checkCli('--faults', 'orphan-never-freed', '--seed', '1', '--out', tempDir());
  expect(r.code, r.out + r.err).toBe(1);
  return /counterexample: (\S+)/.exec(r.out)?.[1] ?? '';
}

function statusOf(name: string): string | undefined {
  return results.find((r) => r.name.endsWith(`${name}.test.ts`))?.status;
}

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  const found = counterexample();
  exported('as-found', found);
  exported('expect-pass', found, '--expect-pass');
  exported('regression', 'test/regressions/migrate-ignores-pin.json');
  // A trace whose text needs escaping inside the generated template literal and title.
  const odd = JSON.parse(readFileSync('test/regressions/migrate-ignores-pin.json', 'utf8'));
  odd.description = ["it's `odd`: $", '{x} \\ "quoted"'].join('');
  exported('escaping', writeTemp('odd.json', JSON.stringify(odd)));
  const report = join(tempDir(), 'report.json');
  spawnSync('npx', ['vitest', 'run', dir, '--reporter=json', `--outputFile=${report}`], {
    stdio: 'ignore',
  });
  results = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] }).testResults;
  try {
    lint = { code: 0, out: execFileSync('npx', ['biome', 'check', dir], { encoding: 'utf8' }) };
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string };
    lint = { code: x.status ?? 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export-test', () => {
  it('exports a counterexample to a test that passes as found', () => {
    expect(statusOf('as-found')).toBe('passed');
  });

  it('exports it with --expect-pass to a test that fails while the bug is in', () => {
    expect(statusOf('expect-pass')).toBe('failed');
  });

  it("keeps a regression trace's own expectation", () => {
    expect(statusOf('regression')).toBe('passed');
  });

  it('escapes backticks, dollar-braces, backslashes and quotes of the embedded trace', () => {
    expect(statusOf('escaping')).toBe('passed');
  });

  it("writes files that pass the project's lint", () => {
    expect(lint.code, lint.out).toBe(0);
  });

  it('imports the package by name, not a path into the repository', () => {
    const r = cli('export-test', 'test/regressions/migrate-ignores-pin.json');
    expect(r.out).toContain("from 'devmem-model'");
    expect(r.out).not.toMatch(/from '\.\.?\//);
  });

  it('takes the expected violation from the found block', () => {
    const r = cli('export-test', counterexample());
    expect(r.out).toContain('"violation":["Lifecycle.NoLeaks"');
  });

  it('refuses --as-found with --expect-pass', () => {
    const r = cli('export-test', 'x.json', '--as-found', '--expect-pass');
    expect(r.code).toBe(2);
  });
});
