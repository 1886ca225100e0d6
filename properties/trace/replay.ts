/**
 * Replaying a trace: every step is executed with the contract's semantics, its result compared
 * with its `expect`, and the run stops at the first step that violates an invariant.
 */
import type { Change } from '../../models/product.js';
import { normalizeConfig } from '../../src/world/config.js';
import { Session, type Violation } from '../session.js';
import { matches, type StepResult, TraceRunner } from './runner.js';
import type { Trace, TraceStep } from './types.js';

export interface AtomicLine {
  readonly label: string;
  readonly kind: string;
  readonly changes: readonly Change[];
}

export interface ReplayedStep {
  readonly index: number;
  readonly step: TraceStep;
  readonly label: string | null;
  readonly result: StepResult;
  readonly phase: string | null;
  /** The expectation and whether it was met (null when the step has none). */
  readonly expectMet: boolean | null;
  readonly atomic: readonly AtomicLine[];
}

export interface ReplayReport {
  readonly steps: readonly ReplayedStep[];
  readonly violations: readonly Violation[] | null;
  readonly failStep: number | null;
  readonly expectedViolation: readonly string[];
  /** Whether the top-level expectation (violation or none) was met. */
  readonly violationMet: boolean;
  readonly ok: boolean;
  readonly atomicSteps: number;
}

export function expectedViolations(t: Trace): string[] {
  const v = t.expect?.violation;
  if (v === undefined || v === null) return [];
  return typeof v === 'string' ? [v] : [...v];
}

export function replay(
  t: Trace,
  extraFaults: readonly string[] = [],
  keepLog = false,
): ReplayReport {
  const faults = [...new Set([...(t.faults ?? []), ...extraFaults])];
  const session = new Session(normalizeConfig(t.config), faults);
  session.keepLog = keepLog;
  const runner = new TraceRunner(session);
  const out: ReplayedStep[] = [];
  let failStep: number | null = null;
  for (let i = 0; i < t.steps.length; i++) {
    const step = t.steps[i];
    if (!step) continue;
    const o = runner.exec(step, i);
    const atomic = session
      .takeLog()
      .map((a) => ({ label: a.label, kind: a.report.kind, changes: a.changes }));
    out.push({
      index: i,
      step,
      label: o.label,
      result: o.result,
      phase: o.phase,
      expectMet: step.expect ? matches(o.result, step.expect) : null,
      atomic,
    });
    if (session.violations) {
      failStep = i;
      break;
    }
  }
  const expected = expectedViolations(t);
  const names = session.violations?.map((v) => v.invariant) ?? [];
  const violationMet =
    expected.length === 0 ? names.length === 0 : expected.every((n) => names.includes(n));
  return {
    steps: out,
    violations: session.violations,
    failStep,
    expectedViolation: expected,
    violationMet,
    ok: violationMet && out.every((s) => s.expectMet !== false),
    atomicSteps: session.atomicSteps,
  };
}
