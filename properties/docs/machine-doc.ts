/** A machine's reference page, generated from the machine: diagram, transitions, alphabet. */
import { readFileSync } from 'node:fs';
import { statesOf, transitionsOf } from '../../models/coverage.js';
import type { MachineSpec } from '../../models/product.js';

/** The header comment of the machine's source file (what is modelled, what is left out). */
function machineHeader(root: string, id: string): string {
  const text = readFileSync(`${root}/models/machines/${id}.ts`, 'utf8');
  const m = /\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!m?.[1]) return '';
  return m[1]
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

export function machineDoc(root: string, m: MachineSpec): string {
  const { initial, states, finals } = statesOf(m);
  const ts = transitionsOf(m);
  const diagram = ['```mermaid', 'stateDiagram-v2', `  [*] --> ${initial}`];
  for (const t of ts) {
    if (t.from === t.to) continue;
    const guard = t.guards.length > 0 ? ` [${t.guards.join(' or ')}]` : '';
    diagram.push(`  ${t.from} --> ${t.to}: ${t.event}${guard}`);
  }
  for (const f of finals) diagram.push(`  ${f} --> [*]`);
  diagram.push('```');
  const rows = ts.map((t) => {
    const guard = t.guards.length > 0 ? t.guards.map((g) => `\`${g}\``).join(' or ') : '';
    const stay = t.from === t.to ? ' (stays)' : '';
    const acts = t.actions.map((a) => `\`${a}\``).join(', ');
    return `| ${t.from} | \`${t.event}\` | ${guard} | ${t.to}${stay} | ${acts} |`;
  });
  const refused = states
    .map((s) => {
      const accepted = new Set(ts.filter((t) => t.from === s).map((t) => t.event));
      const no = m.alphabet.filter((e) => !accepted.has(e));
      return no.length > 0 ? `| ${s} | ${no.map((e) => `\`${e}\``).join(', ')} |` : null;
    })
    .filter((r): r is string => r !== null);
  return [
    `# Machine \`${m.id}\``,
    '',
    '<!-- Generated from models/ by `npm run docs`; do not edit. -->',
    '',
    machineHeader(root, m.id),
    '',
    `**Instances:** one per ${m.keyedBy}. **Initial state:** \`${initial}\`.`,
    '',
    `**Alphabet** (an event reaches this machine iff it is listed; see [the alphabet](../alphabet.md)): ${m.alphabet.map((e) => `\`${e}\``).join(', ')}.`,
    '',
    '## States and transitions',
    '',
    'Transitions that change the state (transitions that stay are in the table):',
    '',
    ...diagram,
    '',
    '| from | event | guard | to | actions |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## What each state refuses',
    '',
    'An event of the alphabet a state does not accept (or whose guards are all false) is a',
    '`Spec.Conforms` violation when the implementation emits it.',
    '',
    '| state | refuses |',
    '|---|---|',
    ...refused,
    '',
  ].join('\n');
}
