/**
 * Every link of the reference resolves as GitHub resolves it: the file exists, and an anchor
 * names a heading (by GitHub's slug rules) or an explicit anchor of that file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../properties/docs/sources.js';
import { INVARIANTS } from '../properties/invariants/index.js';
import { anchorsOf, linksOf } from './support/markdown.js';

function markdown(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? markdown(join(dir, e.name))
      : e.name.endsWith('.md')
        ? [join(dir, e.name)]
        : [],
  );
}

const FILES = ['README.md', ...markdown('docs')];
const anchors = new Map<string, Set<string>>();

function anchorsIn(file: string): Set<string> {
  let a = anchors.get(file);
  if (!a) {
    a = anchorsOf(readFileSync(file, 'utf8'));
    anchors.set(file, a);
  }
  return a;
}

/** Why the link does not resolve, or null. */
function broken(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto:: not checked here
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? from : normalize(join(dirname(from), decodeURIComponent(path)));
  if (!existsSync(file)) return `${file} does not exist`;
  if (anchor === undefined || anchor === '') return null;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return null;
  return anchorsIn(file).has(decodeURIComponent(anchor)) ? null : `no anchor #${anchor} in ${file}`;
}

describe('links of the reference', () => {
  it('finds links to check (the checker itself works)', () => {
    const all = FILES.flatMap((f) => linksOf(readFileSync(f, 'utf8')));
    expect(all.length).toBeGreaterThan(400);
    expect(broken('docs/README.md', 'model.md#no-such-heading')).toMatch(/no anchor/);
    expect(broken('docs/README.md', 'nowhere.md')).toMatch(/does not exist/);
  });

  for (const file of FILES) {
    it(`${file}: every link and anchor resolves`, () => {
      const bad = linksOf(readFileSync(file, 'utf8'))
        .map((l) => {
          const why = broken(file, l.target);
          return why && `${file}:${l.line} ${l.target}: ${why}`;
        })
        .filter((x): x is string => x !== null);
      expect(bad).toEqual([]);
    });
  }
});

describe('anchors and source links of the reference', () => {
  it('gives every rule of a mechanism page its own anchor, unique across pages', () => {
    const all = rules('.');
    expect(all.length).toBeGreaterThan(40);
    expect(
      all.filter((r) => r.id === null).map((r) => `${r.page}: ${r.text.slice(0, 60)}`),
    ).toEqual([]);
    const ids = all.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('links every invariant to its source file', () => {
    const text = readFileSync('docs/reference/invariants.md', 'utf8');
    const sections = text.split(/^## /m).slice(1);
    expect(sections.length).toBe(INVARIANTS.length);
    const unlinked = sections
      .filter((s) => !/\*\*Source:\*\* \[properties\/invariants\/[\w-]+\.ts\]/.test(s))
      .map((s) => s.split('\n')[0]);
    expect(unlinked).toEqual([]);
  });

  it('links every mechanism page to the implementation files of its steps', () => {
    const pages = readdirSync('docs/mechanisms').filter((f) => f.endsWith('.md'));
    const without = pages.filter(
      (f) =>
        !/\]\(\.\.\/\.\.\/src\/(kernel|ops)\/[\w-]+\.ts\)/.test(
          readFileSync(join('docs/mechanisms', f), 'utf8'),
        ),
    );
    expect(without).toEqual([]);
  });
});
