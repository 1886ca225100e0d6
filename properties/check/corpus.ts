/**
 * Coverage feedback for the generated search: a run that reached something no earlier run did —
 * a specification transition, an operation outcome (an errno, a phase it blocked in) — is kept,
 * and most later runs start from a kept one: its profile and a prefix of its choices, then fresh
 * choices, as coverage-guided fuzzers mutate their corpus. No knowledge of any fault is used.
 * Deterministic: what is kept depends only on the runs before.
 */
import type { Product } from '../../models/product.js';
import type { Profile } from '../gen/profile.js';
import type { RunOutcome } from './run.js';

export interface RunInput {
  readonly profile: Profile;
  readonly choices: readonly number[];
}

/** One draw in this many starts from scratch even when the corpus has entries. */
const FRESH_ONE_IN = 4;

export class Corpus {
  private readonly entries: RunInput[] = [];
  private readonly seen = new Set<number>();
  private taken: number;

  constructor(
    private readonly product: Product,
    private readonly maxSteps: number,
    private readonly max = 256,
  ) {
    product.beginEpoch();
    this.taken = 0;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The run a draw stands for: the draw itself, or a kept run's prefix followed by it. */
  derive(fresh: RunInput, pick: number, cut: number): RunInput {
    const n = this.entries.length;
    if (n === 0 || pick % FRESH_ONE_IN === 0) return fresh;
    const base = this.entries[Math.floor(pick / FRESH_ONE_IN) % n];
    if (!base) return fresh;
    const keep = cut % (base.choices.length + 1);
    const choices = [...base.choices.slice(0, keep), ...fresh.choices].slice(0, this.maxSteps);
    return { profile: base.profile, choices };
  }

  /** Keep the run if it reached anything new. */
  note(run: RunInput, out: RunOutcome): void {
    const taken = this.product.epochTaken.size;
    let fresh = taken > this.taken;
    this.taken = taken;
    for (const f of out.features) {
      if (this.seen.has(f)) continue;
      this.seen.add(f);
      fresh = true;
    }
    if (!fresh) return;
    this.entries.push({ profile: run.profile, choices: run.choices.slice(0, out.used) });
    if (this.entries.length > this.max) this.entries.shift();
  }
}
