/** `devmem-model replay FILE`: re-execute a trace step by step and check its expectations. */
import { parseArgs } from 'node:util';
import type { Change } from '../../models/product.js';
import { loadTrace } from '../../properties/trace/load.js';
import { mermaid } from '../../properties/trace/mermaid.js';
import { replay } from '../../properties/trace/replay.js';
import { argsText, resultText } from '../../properties/trace/text.js';
import { parseFaults } from './check.js';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from './io.js';

function changeText(c: Change): string {
  const state = c.from === c.to ? c.to : `${c.from}→${c.to}`;
  return `${c.machine}[${c.instance}] ${state}${c.detail ? ` (${c.detail})` : ''}`;
}

export function replayCommand(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { faults: { type: 'string' }, mermaid: { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  const file = positionals[0];
  if (file === undefined)
    throw new UsageError('replay needs a trace file: devmem-model replay FILE');
  if (positionals.length > 1)
    throw new UsageError(`replay takes one file (got ${positionals.length})`);
  const extra = parseFaults(values.faults);
  const trace = loadTrace(file, extra);
  const faults = [...new Set([...(trace.faults ?? []), ...extra])];
  const r = replay(trace, extra, true);
  if (values.mermaid) {
    io.out(mermaid(trace, r));
    return r.ok ? EXIT_OK : EXIT_VIOLATION;
  }
  io.out(
    `replay ${file}: ${trace.steps.length} steps, faults: ${faults.length > 0 ? faults.join(', ') : 'none'}`,
  );
  for (const s of r.steps) {
    const label = s.label ?? '-';
    const mark = s.expectMet === false ? `  ✗ expected ${JSON.stringify(s.step.expect)}` : '';
    io.out(
      `${String(s.index).padStart(4)}  ${label.padEnd(6)} ${s.step.op} ${argsText(s.step.args)} → ${resultText(s.result)}${mark}`,
    );
    for (const a of s.atomic) {
      const ch = a.changes.map(changeText).join('; ');
      if (ch) io.out(`              ${a.label}: ${ch}`);
    }
  }
  if (r.violations) {
    io.out(`violation at step ${r.failStep}:`);
    for (const v of r.violations) {
      io.out(`  ${v.invariant}: ${v.statement}`);
      io.out(`    ${v.message}`);
      const involved = [
        v.frames?.length ? `frames ${v.frames.join(', ')}` : '',
        v.objs?.length ? `objects ${v.objs.join(', ')}` : '',
        v.importers?.length ? `importers ${v.importers.join(', ')}` : '',
      ].filter((x) => x !== '');
      if (involved.length > 0) io.out(`    involved: ${involved.join('; ')}`);
    }
  }
  const failed = r.steps.filter((s) => s.expectMet === false).length;
  const met = r.steps.filter((s) => s.expectMet === true).length;
  const want = r.expectedViolation.length > 0 ? r.expectedViolation.join(', ') : 'none';
  const got = r.violations ? r.violations.map((v) => v.invariant).join(', ') : 'none';
  io.out(
    `expectations: ${met} met, ${failed} failed; violation expected: ${want}; found: ${got} → ${r.ok ? 'OK' : 'FAILED'}`,
  );
  return r.ok ? EXIT_OK : EXIT_VIOLATION;
}
