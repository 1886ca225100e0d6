/**
 * What the reference links to in the repository: each invariant's source file, the files where
 * each fault is switched in, and the rules of the mechanism pages with their anchors and the
 * invariants they cite. Read from the files themselves, so the links follow the code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULTS } from '../../src/world/faults.js';
import { INVARIANTS } from '../invariants/index.js';
import { anchor } from './catalogue-doc.js';

function tsFiles(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? tsFiles(root, `${dir}/${e.name}`)
        : e.name.endsWith('.ts')
          ? [`${dir}/${e.name}`]
          : [],
    )
    .sort();
}

/** Invariant name → the file (repository path) that defines it. */
export function invariantSources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of tsFiles(root, 'properties/invariants')) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const inv of INVARIANTS)
      if (text.includes(`name: '${inv.name}'`) && !out.has(inv.name)) out.set(inv.name, file);
  }
  return out;
}

/** Fault name → the implementation files that test its switch. */
export function faultSources(root: string): Map<string, string[]> {
  const files = ['src/kernel', 'src/ops', 'src/exec'].flatMap((d) => tsFiles(root, d));
  const texts = files.map((f) => [f, readFileSync(join(root, f), 'utf8')] as const);
  return new Map(
    FAULTS.map((f) => [f.name, texts.filter(([, t]) => t.includes(`'${f.name}'`)).map(([p]) => p)]),
  );
}

export interface Rule {
  /** The mechanism page (file name under docs/mechanisms) and its title. */
  readonly page: string;
  readonly title: string;
  /** The rule's own anchor (`<a id="rule-…">` at its start), or null if it has none. */
  readonly id: string | null;
  readonly text: string;
}

/** The rules of every mechanism page: the list items of its `## Rules` section. */
export function rules(root: string): Rule[] {
  const dir = join(root, 'docs/mechanisms');
  if (!existsSync(dir)) return [];
  const out: Rule[] = [];
  for (const page of readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    const text = readFileSync(join(dir, page), 'utf8');
    const title = /^# (.+)$/m.exec(text)?.[1] ?? page;
    const section = /^## Rules\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text)?.[1] ?? '';
    for (const item of section.split(/^- /m).slice(1)) {
      const id = /^<a id="(rule-[^"]+)"><\/a>/.exec(item)?.[1] ?? null;
      out.push({ page, title, id, text: item });
    }
  }
  return out;
}

/** Invariant name → links to the rules that cite it (the page, if a rule has no anchor). */
export function rulesByInvariant(root: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const inv of INVARIANTS) {
    const links = rules(root)
      .filter((r) => r.text.includes(`invariants.md#${anchor(inv.name)}`))
      .map((r) =>
        r.id
          ? `[${r.page.replace(/\.md$/, '')}: ${r.id.slice('rule-'.length)}](../mechanisms/${r.page}#${r.id})`
          : `[${r.title}](../mechanisms/${r.page})`,
      );
    if (links.length > 0) out.set(inv.name, [...new Set(links)]);
  }
  return out;
}
