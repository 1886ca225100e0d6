/**
 * The generated reference: per machine a page (diagram, transitions, refusals), the alphabet,
 * the invariants and the fault catalogue with every fault's shrunk counterexample as a sequence
 * diagram, and the generated blocks inside the hand-written mechanism pages. `npm run docs`
 * writes it; a test fails when what is on disk drifts from what the models generate.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MACHINES } from '../../models/spec.js';
import { FAULTS } from '../../src/world/faults.js';
import { loadTrace } from '../trace/load.js';
import { mermaid } from '../trace/mermaid.js';
import { replay } from '../trace/replay.js';
import { alphabetDoc, faultSection, faultsDoc, invariantsDoc } from './catalogue-doc.js';
import { machineDoc } from './machine-doc.js';
import { faultSources, invariantSources, rulesByInvariant } from './sources.js';

const BLOCK = /<!-- generated:(\w+)(?: ([^>]*))? -->[\s\S]*?<!-- \/generated -->/g;

/** Each fault's shrunk counterexample (test/regressions/<fault>.json) as a diagram. */
function counterexamples(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of FAULTS) {
    const file = join(root, 'test/regressions', `${f.name}.json`);
    if (!existsSync(file)) continue;
    const t = loadTrace(file);
    out.set(f.name, mermaid(t, replay(t)));
  }
  return out;
}

function faultsBlock(areas: readonly string[], diagrams: ReadonlyMap<string, string>): string {
  return FAULTS.filter((x) => areas.includes(x.area))
    .flatMap((f) =>
      faultSection(
        f,
        `### Fault \`${f.name}\``,
        '../reference/invariants.md',
        diagrams.get(f.name),
      ),
    )
    .join('\n');
}

/** Fill the generated blocks of a hand-written page. */
function fillBlocks(text: string, diagrams: ReadonlyMap<string, string>): string {
  return text.replace(BLOCK, (_all, kind: string, attrs: string | undefined) => {
    const areas = /areas=([\w,-]+)/.exec(attrs ?? '')?.[1]?.split(',') ?? [];
    const body = kind === 'faults' ? faultsBlock(areas, diagrams) : '';
    return `<!-- generated:${kind}${attrs ? ` ${attrs}` : ''} -->\n${body}<!-- /generated -->`;
  });
}

/** Every generated file, by its path under the repository root. */
export function generateDocs(root: string): Map<string, string> {
  const diagrams = counterexamples(root);
  const out = new Map<string, string>();
  for (const m of MACHINES) out.set(`docs/reference/machines/${m.id}.md`, machineDoc(root, m));
  out.set('docs/reference/alphabet.md', alphabetDoc());
  out.set(
    'docs/reference/invariants.md',
    invariantsDoc(rulesByInvariant(root), invariantSources(root)),
  );
  out.set('docs/reference/faults.md', faultsDoc(diagrams, faultSources(root)));
  const mech = join(root, 'docs/mechanisms');
  if (existsSync(mech)) {
    for (const file of readdirSync(mech)
      .filter((f) => f.endsWith('.md'))
      .sort()) {
      const text = readFileSync(join(mech, file), 'utf8');
      out.set(`docs/mechanisms/${file}`, fillBlocks(text, diagrams));
    }
  }
  return out;
}

/** Files whose content on disk differs from what would be generated. */
export function driftedDocs(root: string): string[] {
  const drifted: string[] = [];
  for (const [path, content] of generateDocs(root)) {
    const file = join(root, path);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) drifted.push(path);
  }
  return drifted;
}
