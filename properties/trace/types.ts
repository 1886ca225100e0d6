/** The devmem-trace/1 file: a configuration, faults, and steps with expectations. */
import type { ConfigInput } from '../../src/world/config.js';

export const TRACE_FORMAT = 'devmem-trace/1';

export interface TraceStep {
  readonly op: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** Run one atomic step and leave the process pending under this label. */
  readonly start?: string;
  /** A partial match against the step's result. */
  readonly expect?: Readonly<Record<string, unknown>>;
}

/**
 * What `check` records in a counterexample: the search that found it (every option, the
 * configuration, the version) and what it found. Replay ignores it; `check --from FILE` re-runs
 * the search. Files written before 0.2 hold only seed, invariants, step and faults.
 */
export interface Found {
  /** The devmem-model version that found it. */
  readonly version?: string;
  readonly seed: number;
  readonly runs?: number;
  readonly maxSteps?: number;
  readonly deviceEvents?: number;
  readonly faults?: readonly string[];
  /** The operation families the search focused on (`--focus`). */
  readonly focus?: readonly string[];
  readonly config?: ConfigInput;
  /** Seeds the search covered (from seed on), when more than one. */
  readonly seeds?: number;
  /** The slice of the search (`i/n`), when sharded. */
  readonly shard?: string;
  /** Lanes (worker threads) the search was split into, when more than one. */
  readonly workers?: number;
  /** The run (1-based, in the shard) that first failed. */
  readonly run?: number;
  /** That run's own seed and index under it. */
  readonly failed?: { readonly seed: number; readonly run: number };
  /** The invariants violated at the first failing step, and that step's index. */
  readonly invariants: readonly string[];
  readonly step: number;
}

export interface Trace {
  readonly format: typeof TRACE_FORMAT;
  readonly config: ConfigInput;
  readonly faults?: readonly string[];
  readonly steps: readonly TraceStep[];
  readonly expect?: { readonly violation?: string | readonly string[] | null };
  readonly found?: Found;
  readonly description?: string;
}

export const SCHEDULING_OPS = ['step', 'run', 'finish'] as const;

export function isScheduling(op: string): boolean {
  return (SCHEDULING_OPS as readonly string[]).includes(op);
}
