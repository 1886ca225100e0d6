/**
 * The devmem-model library (`import { check, replay } from 'devmem-model'`): search generated
 * interleavings for a violation, replay and validate trace files, read the fault catalogue. The
 * command line is built on it; docs/contract.md describes what it promises.
 */

import { type ConfigInput, normalizeConfig } from '../src/world/config.js';
import { FAULTS, type FaultInfo } from '../src/world/faults.js';
import type { CheckResult } from './check/check.js';
import { check as search } from './check/check.js';
import {
  DEFAULT_CONFIG,
  DEFAULT_DEVICE_EVENTS,
  DEFAULT_MAX_STEPS,
  DEFAULT_RUNS,
} from './check/defaults.js';
import { INVARIANTS } from './invariants/index.js';
import { type ReplayReport, replay as replayTrace } from './trace/replay.js';
import { validateConfig } from './trace/schema.js';
import type { Trace } from './trace/types.js';

export type { Config, ConfigInput as TraceConfig } from '../src/world/config.js';
export type { FaultInfo } from '../src/world/faults.js';
export type { CheckFailure, CheckResult } from './check/check.js';
export type { Violation } from './session.js';
export { LIMITS, SEARCH_LIMITS } from './trace/limits.js';
export { InputError, loadConfig, loadTrace } from './trace/load.js';
export { mermaid } from './trace/mermaid.js';
export type { AtomicLine, ReplayedStep, ReplayReport } from './trace/replay.js';
export type { StepResult } from './trace/runner.js';
export { TraceError, validateConfig, validateTrace } from './trace/schema.js';
export { type Found, TRACE_FORMAT, type Trace, type TraceStep } from './trace/types.js';
export { traceText } from './trace/write.js';
export { VERSION as version } from './version.js';

/** The fault catalogue: real bug classes, one switch each, and the invariant each must trip. */
export const faults: readonly FaultInfo[] = FAULTS;

/** Every invariant checked after every atomic step: its name and what it states. */
export const invariants: readonly { readonly name: string; readonly statement: string }[] =
  INVARIANTS.map((i) => ({ name: i.name, statement: i.statement }));

export interface CheckOptions {
  /** The configuration (a trace's `config` object); default: the built-in one `check` uses. */
  readonly config?: ConfigInput;
  /** Faults of the catalogue to switch on. */
  readonly faults?: readonly string[];
  /** Runs to generate (default 10,000), trace steps per run at most (120), device events (2). */
  readonly runs?: number;
  readonly maxSteps?: number;
  readonly deviceEvents?: number;
  /** Default 1: pass the seed a counterexample's `found` block records to search again. */
  readonly seed?: number;
  /** Start no new run after this many milliseconds (shrinking still completes). */
  readonly timeBudgetMs?: number;
  /** Called after every run. */
  readonly onRun?: (runs: number, atomicSteps: number) => void;
}

/**
 * Search generated interleavings for a violation of the specification or an invariant; the
 * failure, if any, holds the shrunk counterexample as a trace (write it with traceText).
 * The configuration is validated as a trace's is (TraceError). Asynchronous, so that the search
 * may move to worker threads without changing this signature.
 */
export async function check(options: CheckOptions = {}): Promise<CheckResult> {
  const config =
    options.config === undefined ? DEFAULT_CONFIG : normalizeConfig(validateConfig(options.config));
  return search({
    config,
    faults: [...(options.faults ?? [])],
    runs: options.runs ?? DEFAULT_RUNS,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    deviceEvents: options.deviceEvents ?? DEFAULT_DEVICE_EVENTS,
    seed: options.seed ?? 1,
    ...(options.timeBudgetMs !== undefined ? { timeBudgetMs: options.timeBudgetMs } : {}),
    ...(options.onRun ? { onRun: options.onRun } : {}),
  });
}

export interface ReplayOptions {
  /** Faults to switch on besides the trace's own. */
  readonly faults?: readonly string[];
  /** Keep each atomic step's specification changes in the report (the step table shows them). */
  readonly log?: boolean;
}

/**
 * Re-execute a validated trace (loadTrace, validateTrace) deterministically, checking every
 * invariant after every atomic step and every step's `expect`. `report.ok` is the verdict
 * `devmem-model replay` exits with.
 */
export function replay(trace: Trace, options: ReplayOptions = {}): ReplayReport {
  return replayTrace(trace, options.faults ?? [], options.log ?? false);
}

/**
 * Why a replay's verdict is not ok, one line each (empty when it is): each step whose `expect`
 * was not met, and the violation expected but not found or found but not expected. For tests:
 * `expect(unmetExpectations(replay(trace))).toEqual([])`.
 */
export function unmetExpectations(r: ReplayReport): string[] {
  const out = r.steps
    .filter((s) => s.expectMet === false)
    .map(
      (s) =>
        `step ${s.index} ${s.step.op}: got ${JSON.stringify(s.result)}, expected ${JSON.stringify(s.step.expect)}`,
    );
  if (!r.violationMet) {
    const found = r.violations?.map((v) => `${v.invariant} (${v.message})`) ?? [];
    const want = r.expectedViolation.length > 0 ? r.expectedViolation.join(', ') : 'none';
    out.push(
      `violation expected: ${want}; found${r.failStep !== null ? ` at step ${r.failStep}` : ''}: ${found.length > 0 ? found.join('; ') : 'none'}`,
    );
  }
  return out;
}
