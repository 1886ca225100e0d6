/** `devmem-model check`: generated interleavings against the spec and every invariant. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { check, pickTarget } from '../../properties/check/check.js';
import { type Coverage, coverage, transitionText } from '../../properties/check/coverage.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
  DEFAULT_RUNS,
} from '../../properties/check/defaults.js';
import { OP_FAMILIES } from '../../properties/gen/profile.js';
import { defaultProduct } from '../../properties/session.js';
import { loadConfig } from '../../properties/trace/load.js';
import { traceText } from '../../properties/trace/write.js';
import type { Config } from '../world/config.js';
import { FAULT_NAMES } from '../world/faults.js';
import { configText, seconds, thousands } from './format.js';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from './io.js';

function count(v: string | undefined, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`--${name} takes an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}

export function parseFaults(v: string | undefined): string[] {
  if (v === undefined || v === '') return [];
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!FAULT_NAMES.includes(n))
      throw new UsageError(`--faults: unknown fault "${n}" (see devmem-model faults)`);
  }
  return names;
}

/** `--focus a,b`: operation families to weight (a hint from the user; none by default). */
function parseFocus(v: string | undefined): string[] {
  if (v === undefined) return [];
  const names = v.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(OP_FAMILIES as readonly string[]).includes(n))
      throw new UsageError(`--focus: unknown family "${n}" (families: ${OP_FAMILIES.join(', ')})`);
  }
  return names;
}

function printCoverage(io: Io, cov: Coverage, floor: number | null): void {
  const of = floor !== null ? `, floor ${floor}%` : '';
  io.out(
    `coverage of the specification: ${cov.reached}/${cov.total} transitions (${cov.percent}%)${of}`,
  );
  for (const m of cov.machines) {
    io.out(`  ${m.machine.padEnd(13)} ${String(m.reached).padStart(3)}/${m.total}`);
    for (const t of m.unreached) io.out(`      not reached: ${transitionText(t)}`);
  }
  if (floor !== null && cov.percent < floor)
    io.out(`coverage ${cov.percent}% is below the floor of ${floor}%`);
}

function coverageJson(cov: Coverage) {
  return {
    percent: cov.percent,
    reached: cov.reached,
    total: cov.total,
    unreached: cov.machines.flatMap((m) =>
      m.unreached.map((t) => `${m.machine}: ${transitionText(t)}`),
    ),
  };
}

export function checkCommand(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      'max-steps': { type: 'string' },
      'device-events': { type: 'string' },
      faults: { type: 'string' },
      focus: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      coverage: { type: 'boolean' },
      'coverage-floor': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0)
    throw new UsageError(`check takes no file argument (got "${positionals[0]}")`);
  const runs = count(values.runs, 'runs', DEFAULT_RUNS);
  const maxSteps = count(values['max-steps'], 'max-steps', DEFAULT_MAX_STEPS);
  const deviceEvents = count(values['device-events'], 'device-events', DEFAULT_DEVICE_EVENTS, 0);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : count(values.seed, 'seed', 0, 0);
  const faults = parseFaults(values.faults);
  const focus = parseFocus(values.focus);
  const config: Config = values.config === undefined ? DEFAULT_CONFIG : loadConfig(values.config);
  const outDir = values.out ?? 'counterexamples';
  const dflt = (given: unknown) => (given === undefined ? ' (default)' : '');
  const floor =
    values['coverage-floor'] === undefined
      ? null
      : count(values['coverage-floor'], 'coverage-floor', 0, 0);
  if (floor !== null && floor > 100)
    throw new UsageError('--coverage-floor is a percentage (0-100)');
  const wantCoverage = values.coverage === true || floor !== null;
  if (wantCoverage) defaultProduct().resetCoverage();
  const started = performance.now();
  let lastDraw = 0;
  const result = check({
    config,
    faults,
    runs,
    maxSteps,
    seed,
    deviceEvents,
    focus,
    onRun: (done, steps) => {
      if (!io.tty || !io.progress) return;
      const now = performance.now();
      if (now - lastDraw < 100 && done < runs) return;
      lastDraw = now;
      const el = now - started;
      io.progress(
        `check: run ${done}/${runs} · ${thousands(Math.round((steps / el) * 1000))} steps/s · ${seconds(el)} · seed ${seed}`,
      );
    },
  });
  if (io.tty && io.progress) io.progress('');
  const elapsed = performance.now() - started;
  const failure = result.failure;
  let file: string | null = null;
  if (failure) {
    mkdirSync(outDir, { recursive: true });
    const name = pickTarget(failure.violations, faults);
    file = join(outDir, `${name}-${seed}.json`);
    writeFileSync(file, traceText(failure.trace));
  }
  const cov = wantCoverage ? coverage(defaultProduct()) : null;
  const belowFloor = cov !== null && floor !== null && cov.percent < floor;
  if (values.json) {
    io.out(
      JSON.stringify({
        ...(cov ? { coverage: coverageJson(cov) } : {}),
        seed,
        runs,
        maxSteps,
        deviceEvents,
        faults,
        focus,
        config: values.config ?? 'built-in',
        runsDone: result.runs,
        atomicSteps: result.atomicSteps,
        ms: Math.round(elapsed),
        violation: failure
          ? {
              invariants: failure.violations.map((v) => v.invariant),
              runs: failure.runs,
              file,
              steps: failure.trace.steps.length,
            }
          : null,
      }),
    );
    return failure || belowFloor ? EXIT_VIOLATION : EXIT_OK;
  }
  io.out(
    `devmem-model check · seed ${seed} · runs ${runs}${dflt(values.runs)} · max-steps ${maxSteps}${dflt(values['max-steps'])} · device-events ${deviceEvents}${dflt(values['device-events'])}`,
  );
  io.out(`  faults: ${faults.length > 0 ? faults.join(', ') : 'none'}`);
  if (focus.length > 0) io.out(`  focus: ${focus.join(', ')}`);
  io.out(`  config: ${values.config ?? 'built-in'} (${configText(config)})`);
  if (!failure || file === null) {
    io.out(
      `ok: no violation in ${thousands(result.runs)} runs (${thousands(result.atomicSteps)} atomic steps, ${seconds(elapsed)})`,
    );
    if (cov) printCoverage(io, cov, floor);
    return belowFloor ? EXIT_VIOLATION : EXIT_OK;
  }
  io.out(
    `VIOLATION after ${thousands(failure.runs)} runs (${seconds(failure.msToDetect)}), seed ${seed}:`,
  );
  for (const v of failure.violations) {
    io.out(`  ${v.invariant}: ${v.statement}`);
    io.out(`    ${v.message}`);
  }
  io.out(
    `counterexample: ${file} (${failure.trace.steps.length} steps, shrunk from ${failure.unshrunkSteps})`,
  );
  io.out(`replay it with: npx devmem-model replay ${file}`);
  if (cov) printCoverage(io, cov, floor);
  return EXIT_VIOLATION;
}
