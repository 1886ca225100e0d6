/**
 * The dependency arrows of the guide: properties/ uses models/ and src/ but never the command
 * line; the rest of src/ never imports properties/ or src/cli/; models/ imports neither.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
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

/** The import circles among one folder's files (relative imports, type-only ones too). */
function circles(dirs: readonly string[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const f of dirs.flatMap(files)) {
    const deps = imports(f)
      .filter((s) => s.startsWith('.'))
      .map((s) => normalize(join(dirname(f), s.replace(/\.js$/, '.ts'))));
    graph.set(f, deps);
  }
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]): void => {
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') {
        const stack = [...path, f];
        found.push([...stack.slice(stack.indexOf(d)), d]);
      } else if (!state.has(d) && graph.has(d)) visit(d, [...path, f]);
    }
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f, []);
  return found;
}

it('no file imports itself through others (models, src, properties, bench)', () => {
  expect(circles(['models', 'src', 'properties', 'bench'])).toEqual([]);
});

it('finds circles at all (the check above would pass if it never looked)', () => {
  expect(circles(['test/support/circle'])).toHaveLength(1);
});

it('finds imports at all (the check above would pass on an empty tree)', () => {
  expect(imports('properties/trace/mermaid.ts')).toContain('./text.js');
});
