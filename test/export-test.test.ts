/** export-test output, dropped into test/, passes or fails exactly as the trace says. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { cli } from './support/cli.js';

const dir = `test/tmp-export-${process.pid}`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runExported(trace: string): number {
  mkdirSync(dir, { recursive: true });
  const out = cli('export-test', trace, '--root', '../..');
  expect(out.code).toBe(0);
  const file = `${dir}/exported-${Math.random().toString(36).slice(2)}.test.ts`;
  writeFileSync(file, out.out);
  try {
    execFileSync('npx', ['vitest', 'run', file], { stdio: 'pipe' });
    return 0;
  } catch (e) {
    return (e as { status?: number }).status ?? 1;
  }
}

it('a kept regression exports to a passing test', () => {
  expect(runExported('test/regressions/migrate-ignores-pin.json')).toBe(0);
}, 60_000);

it('a counterexample without an expected violation exports to a failing test', () => {
  mkdirSync(dir, { recursive: true });
  const t = JSON.parse(readFileSync('test/regressions/migrate-ignores-pin.json', 'utf8'));
  delete t.expect;
  const file = `${dir}/counterexample.json`;
  writeFileSync(file, JSON.stringify(t));
  expect(runExported(file)).not.toBe(0);
}, 60_000);
