/**
 * The dependency arrows of the guide: properties/ uses models/ and src/ but never the command
 * line; the rest of src/ never imports properties/ or src/cli/; models/ imports neither.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
}

function offending(dir: string, bad: (spec: string, file: string) => boolean): string[] {
  return files(dir).flatMap((f) =>
    imports(f)
      .filter((s) => bad(s, f))
      .map((s) => `${f} → ${s}`),
  );
}

it('properties/ never imports the command line', () => {
  expect(offending('properties', (s) => s.includes('/cli/'))).toEqual([]);
});

it('src/ outside the command line never imports properties/ or src/cli/', () => {
  expect(
    offending(
      'src',
      (s, f) =>
        !f.startsWith(join('src', 'cli')) && (s.includes('properties/') || s.includes('/cli/')),
    ),
  ).toEqual([]);
});

it('models/ imports neither src/ nor properties/', () => {
  expect(offending('models', (s) => s.includes('src/') || s.includes('properties/'))).toEqual([]);
});

it('finds imports at all (the check above would pass on an empty tree)', () => {
  expect(imports('properties/trace/mermaid.ts')).toContain('./text.js');
});
