/**
 * Temporary files for tests: all of a test file's directories live under one root, removed after
 * the file's tests (each `npm test` used to leave dozens of directories in /tmp).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

let root: string | null = null;

// Registered when a test file imports this module: vitest runs it after that file's tests.
afterAll(() => {
  if (root !== null) rmSync(root, { recursive: true, force: true });
  root = null;
});

function rootDir(): string {
  root ??= mkdtempSync(join(tmpdir(), `devmem-test-${process.pid}-`));
  return root;
}

export function tempDir(): string {
  return mkdtempSync(join(rootDir(), 'd-'));
}

export function writeTemp(name: string, content: string): string {
  const f = join(tempDir(), name);
  writeFileSync(f, content);
  return f;
}
