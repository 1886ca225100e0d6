/**
 * Coverage feedback for the generated search: a run that reached something no earlier run did —
 * a specification transition, an operation outcome (an errno, a phase it blocked in), a page
 * shape (shapes.ts) — is kept, and most later runs start from a kept one: its profile and a
 * prefix of its choices, then fresh choices, as coverage-guided fuzzers mutate their corpus. No
 * knowledge of any fault is used.
 * Deterministic: what is kept depends only on the runs before.
 */
import type { Product } from '../../models/product.js';
import type { Profile } from '../gen/profile.js';
import type { RunOutcome } from './run.js';
import { SHAPE_BASE } from './shapes.js';

export interface RunInput {
  readonly profile: Profile;
  readonly choices: readonly number[];
}

/** One draw in this many starts from scratch even when the corpus has entries. */
const FRESH_ONE_IN = 4;
/** Of the draws that start from a kept run, one in this many starts from a shape-only one. */
const SHAPE_ONE_IN = 4;

export class Corpus {
  /** Runs that reached a transition, a transition pair or an outcome no earlier run did. */
  private readonly entries: RunInput[] = [];
  /**
   * Runs that reached only a page shape no earlier run did (shapes.ts): kept apart, so that
   * the many shapes do not push the runs that reach rare transitions out of the corpus.
   */
  private readonly shaped: RunInput[] = [];
  private readonly seen = new Set<number>();
  private taken: number;

  constructor(
    private readonly product: Product,
    private readonly maxSteps: number,
    private readonly max = 256,
    private readonly maxShaped = 64,
  ) {
    product.beginEpoch();
    this.taken = 0;
  }

  get size(): number {
    return this.entries.length + this.shaped.length;
  }

  /** The run a draw stands for: the draw itself, or a kept run's prefix followed by it. */
  derive(fresh: RunInput, pick: number, cut: number): RunInput {
    if (this.size === 0 || pick % FRESH_ONE_IN === 0) return fresh;
    const k = Math.floor(pick / FRESH_ONE_IN);
    const fromShaped =
      this.shaped.length > 0 && (this.entries.length === 0 || k % SHAPE_ONE_IN === 0);
    const list = fromShaped ? this.shaped : this.entries;
    const base = list[Math.floor(k / SHAPE_ONE_IN) % list.length];
    if (!base) return fresh;
    const keep = cut % (base.choices.length + 1);
    const choices = [...base.choices.slice(0, keep), ...fresh.choices].slice(0, this.maxSteps);
    return { profile: base.profile, choices };
  }

  /** Keep the run if it reached anything new. */
  note(run: RunInput, out: RunOutcome): void {
    const taken = this.product.epochTaken.size;
    let fresh = taken > this.taken;
    let freshShape = false;
    this.taken = taken;
    for (const f of out.features) {
      if (this.seen.has(f)) continue;
      this.seen.add(f);
      if (f >= SHAPE_BASE) freshShape = true;
      else fresh = true;
    }
    if (!fresh && !freshShape) return;
    const kept = { profile: run.profile, choices: run.choices.slice(0, out.used) };
    const list = fresh ? this.entries : this.shaped;
    list.push(kept);
    if (list.length > (fresh ? this.max : this.maxShaped)) list.shift();
  }
}
