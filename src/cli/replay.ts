/** `devmem-model replay FILE`: re-execute a trace step by step and check its expectations. */
import { Option } from 'commander';
import type { Change } from '../../models/product.js';
import { loadTrace } from '../../properties/trace/load.js';
import { mermaid } from '../../properties/trace/mermaid.js';
import { type ReplayReport, replay } from '../../properties/trace/replay.js';
import { argsText, resultText } from '../../properties/trace/text.js';
import type { Trace } from '../../properties/trace/types.js';
import { faultList } from './args.js';
import type { CliCommand } from './command.js';
import { EXIT_OK, EXIT_VIOLATION, type Io } from './io.js';
import { paint } from './style.js';
import { hanging } from './wrap.js';

interface ReplayOpts {
  readonly faults?: string[];
  readonly mermaid?: boolean;
  readonly json?: boolean;
  readonly exitCode?: boolean;
}

function changeText(c: Change): string {
  const state = c.from === c.to ? c.to : `${c.from}→${c.to}`;
  return `${c.machine}[${c.instance}] ${state}${c.detail ? ` (${c.detail})` : ''}`;
}

function verdictCode(r: ReplayReport): number {
  return r.ok ? EXIT_OK : EXIT_VIOLATION;
}

/** JSON Lines: one object per replayed step, then the verdict. */
function printJson(io: Io, file: string, r: ReplayReport): void {
  for (const s of r.steps) {
    io.out(
      JSON.stringify({
        type: 'step',
        index: s.index,
        op: s.step.op,
        args: s.step.args,
        ...(s.step.start !== undefined ? { start: s.step.start } : {}),
        label: s.label,
        result: s.result,
        ...(s.step.expect !== undefined ? { expect: s.step.expect, expectMet: s.expectMet } : {}),
        atomic: s.atomic.map((a) => ({ label: a.label, kind: a.kind, changes: a.changes })),
      }),
    );
  }
  io.out(
    JSON.stringify({
      type: 'verdict',
      file,
      ok: r.ok,
      steps: r.steps.length,
      atomicSteps: r.atomicSteps,
      expectations: {
        met: r.steps.filter((s) => s.expectMet === true).length,
        failed: r.steps.filter((s) => s.expectMet === false).map((s) => s.index),
      },
      violationExpected: r.expectedViolation,
      violationMet: r.violationMet,
      failStep: r.failStep,
      violations: (r.violations ?? []).map((v) => ({
        invariant: v.invariant,
        statement: v.statement,
        message: v.message,
        frames: v.frames ?? [],
        objs: v.objs ?? [],
        importers: v.importers ?? [],
      })),
    }),
  );
}

function printTable(
  io: Io,
  file: string,
  trace: Trace,
  extra: readonly string[],
  r: ReplayReport,
): void {
  const width = io.columns ?? Infinity;
  const say = (text: string, indent = 4) => {
    for (const l of hanging(text, width, indent)) io.out(l);
  };
  const faults = [...new Set([...(trace.faults ?? []), ...extra])];
  say(
    `replay ${file}: ${trace.steps.length} steps, faults: ${faults.length > 0 ? faults.join(', ') : 'none'}`,
  );
  for (const s of r.steps) {
    const label = s.label ?? '-';
    const mark =
      s.expectMet === false
        ? paint(io, 'bad', `  ✗ expected ${JSON.stringify(s.step.expect)}`)
        : '';
    const line = `${String(s.index).padStart(4)}  ${label.padEnd(6)} ${s.step.op} ${argsText(s.step.args)} → ${resultText(s.result)}`;
    const [first = '', ...rest] = hanging(line, width, 14);
    io.out(first + (rest.length === 0 ? mark : ''));
    rest.forEach((l, i) => {
      io.out(l + (i === rest.length - 1 ? mark : ''));
    });
    for (const a of s.atomic) {
      const ch = a.changes.map(changeText).join('; ');
      if (ch) for (const l of hanging(`              ${a.label}: ${ch}`, width, 18)) io.out(l);
    }
  }
  if (r.violations) {
    io.out(paint(io, 'bad', `violation at step ${r.failStep}:`));
    for (const v of r.violations) {
      say(`  ${paint(io, 'strong', v.invariant)}: ${v.statement}`);
      say(`    ${v.message}`, 6);
      const involved = [
        v.frames?.length ? `frames ${v.frames.join(', ')}` : '',
        v.objs?.length ? `objects ${v.objs.join(', ')}` : '',
        v.importers?.length ? `importers ${v.importers.join(', ')}` : '',
      ].filter((x) => x !== '');
      if (involved.length > 0) say(`    involved: ${involved.join('; ')}`, 6);
    }
  }
  const failed = r.steps.filter((s) => s.expectMet === false).length;
  const met = r.steps.filter((s) => s.expectMet === true).length;
  const want = r.expectedViolation.length > 0 ? r.expectedViolation.join(', ') : 'none';
  const got = r.violations ? r.violations.map((v) => v.invariant).join(', ') : 'none';
  say(
    `expectations: ${met} met, ${failed} failed; violation expected: ${want}; found: ${got} → ${r.ok ? paint(io, 'ok', 'OK') : paint(io, 'bad', 'FAILED')}`,
  );
}

export const replayCommand: CliCommand = {
  name: 'replay',
  define: (cmd) =>
    cmd
      .summary('re-execute a trace step by step and check its expectations')
      .description(
        'Re-execute a trace deterministically, print each step (process, operation, result, the specification state changes) and check every expect. Exit 0 when every expectation is met, 1 when one fails.',
      )
      .argument('<file>', 'a devmem-trace/1 file')
      .option('--faults <a,b>', "faults to switch on besides the trace's own", faultList)
      .option('--json', 'print one JSON object per step, then the verdict (JSON Lines)')
      .addOption(
        new Option(
          '--mermaid',
          'print the trace as a Mermaid sequence diagram in a ```mermaid fence (exit 0 unless --exit-code)',
        ).conflicts('json'),
      )
      .option('--exit-code', "with --mermaid: exit with the replay's verdict (0 or 1)"),
  run: ([file = ''], opts, io) => {
    const o = opts as ReplayOpts;
    const extra = o.faults ?? [];
    const trace = loadTrace(file, extra);
    const r = replay(trace, extra, o.json === true || o.mermaid !== true);
    if (o.mermaid) {
      io.out(['```mermaid', mermaid(trace, r), '```'].join('\n'));
      return o.exitCode ? verdictCode(r) : EXIT_OK;
    }
    if (o.json) printJson(io, file, r);
    else printTable(io, file, trace, extra, r);
    return verdictCode(r);
  },
};
