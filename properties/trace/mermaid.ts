/**
 * A replayed trace as a Mermaid sequence diagram: participants the CPU, the kernel, each
 * importer and each device; one message per trace step (operation, arguments, result); the
 * violation marked. Paste it into a bug report: any git host renders it.
 */

import type { ReplayReport } from './replay.js';
import { argsText, type ResultStyle, resultText } from './text.js';
import type { Trace, TraceStep } from './types.js';

function actorOf(step: TraceStep, labels: ReadonlyMap<string, string>): string {
  if (step.op === 'step' || step.op === 'run' || step.op === 'finish') {
    return labels.get(String(step.args.proc)) ?? 'kernel';
  }
  if (step.op.startsWith('cpu.')) return 'CPU';
  if (step.op.startsWith('imp.')) return String(step.args.importer);
  if (step.op.startsWith('dev.')) return String(step.args.device);
  return 'kernel';
}

/** Mermaid message text: no characters that end a message or start an entity. */
function clean(s: string): string {
  return s.replace(/[;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Results as the diagram words them: shorter than the command line, no JSON. */
const MERMAID_RESULT: ResultStyle = {
  pending: (phase) => `pending, next ${phase}`,
  blocked: (phase) => `blocked in ${phase}`,
  object: (value) =>
    Object.entries(value)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' '),
};

function argText(op: string, args: Readonly<Record<string, unknown>>): string {
  // The actor already names the importer (imp.*) or the device (dev.*).
  const actorKey = op.startsWith('imp.') ? 'importer' : op.startsWith('dev.') ? 'device' : '';
  return argsText(args, '+', [actorKey, 'proc']);
}

function id(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

export function mermaid(t: Trace, r: ReplayReport): string {
  const devices = (t.config.devices ?? []).map((d) => d.id);
  const importers = (t.config.importers ?? []).map((i) => i.id);
  const used = new Set<string>();
  const labels = new Map<string, string>();
  const lines: string[] = [];
  for (const s of r.steps) {
    const actor = actorOf(s.step, labels);
    if (s.label && !labels.has(s.label)) labels.set(s.label, actor);
    used.add(actor);
    const proc =
      s.label &&
      (s.step.start !== undefined ||
        s.step.op === 'step' ||
        s.step.op === 'run' ||
        s.step.op === 'finish')
        ? ` [${s.label}]`
        : '';
    const what =
      s.step.op === 'step' || s.step.op === 'run' || s.step.op === 'finish'
        ? `${s.step.op}${s.step.op === 'run' ? ` until ${String(s.step.args.until)}` : ''}`
        : `${s.step.op} ${argText(s.step.op, s.step.args)}`;
    const text = clean(
      `${s.index}${proc} ${what} → ${resultText(s.result as Record<string, unknown>, MERMAID_RESULT)}`,
    );
    const fail = r.failStep === s.index;
    if (fail) lines.push('  rect rgb(255, 225, 225)');
    lines.push(`  ${id(actor)}->>kernel: ${text}`);
    if (fail) {
      for (const v of r.violations ?? [])
        lines.push(`  Note over kernel: ✗ ${clean(`${v.invariant}: ${v.message}`)}`);
      lines.push('  end');
    }
  }
  const order = ['CPU', 'kernel', ...importers, ...devices].filter(
    (p) => p === 'kernel' || used.has(p),
  );
  const head = ['sequenceDiagram', ...order.map((p) => `  participant ${id(p)} as ${p}`)];
  return [...head, ...lines].join('\n');
}
