/** `devmem-model replay FILE`: re-execute a trace step by step and check its expectations. */
import { parseArgs } from 'node:util';
import { loadTrace } from '../../properties/trace/load.js';
import { replay } from '../../properties/trace/replay.js';
import { parseFaults } from './check.js';
import { argsText, resultText } from './format.js';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from './io.js';

export function replayCommand(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { faults: { type: 'string' } },
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
      const ch = a.changes.map((c) => `${c.machine}[${c.instance}] ${c.from}→${c.to}`).join('; ');
      if (ch) io.out(`              ${a.label}: ${ch}`);
    }
  }
  if (r.violations) {
    io.out(`violation at step ${r.failStep}:`);
    for (const v of r.violations) {
      io.out(`  ${v.invariant}: ${v.statement}`);
      io.out(`    ${v.message}`);
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
