/**
 * The `ids` reduction renames minted ids (numbers from ID_BASE up) where mintedIds looks for
 * them. A copy of an id kept anywhere else would stay unrenamed: sound (renamed ids take a range of their
 * own) but the reduction would silently merge less. Inside a string it would escape renaming
 * too. So: every state of every fault scope, with and without its fault, holds its ids only
 * where mintedIds looks, none in the specification's state, none inside a string.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mintedIds, WORLD_CONSTANT, WORLD_COUNTERS } from '../properties/explore/fingerprint.js';
import { type ExState, Model } from '../properties/explore/model.js';
import { ID_BASE, loadScope } from '../properties/explore/scope.js';

/** The world's constant fields and its counters (nextId is the next id, not a stored one). */
const WORLD_SKIP = new Set([...WORLD_CONSTANT, ...WORLD_COUNTERS]);

/** Every number at or above ID_BASE anywhere in v, and every string token that is one. */
function everyId(v: unknown, out: number[], inStrings: string[]): void {
  if (typeof v === 'number') {
    if (v >= ID_BASE) out.push(v);
    return;
  }
  if (typeof v === 'string') {
    for (const tok of v.match(/\d+/g) ?? []) if (Number(tok) >= ID_BASE) inStrings.push(v);
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const entries: unknown[] =
    v instanceof Map ? [...v].flat() : v instanceof Set ? [...v] : Object.entries(v).flat();
  for (const x of entries) everyId(x, out, inStrings);
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** Breadth-first over a scope's states (at most `cap`), calling `visit` on each. */
function eachState(
  file: string,
  faults: readonly string[],
  cap: number,
  visit: (s: ExState) => void,
) {
  const model = new Model(loadScope(file), faults);
  const queue: ExState[] = [model.initial().state];
  for (let n = 0; n < queue.length && n < cap; n++) {
    const s = queue[n] as ExState;
    visit(s);
    for (const m of model.moves(s)) {
      const next = model.copy(s);
      if (model.apply(next, m) === null) queue.push(next);
    }
  }
}

describe('the ids reduction sees every minted id', () => {
  const files = readdirSync('scopes/faults').map((f) => `scopes/faults/${f}`);
  it(`in ${files.length} fault scopes, with and without the fault: only where mintedIds looks`, () => {
    let withIds = 0;
    let most = 0;
    for (const file of files) {
      const fault = file.slice('scopes/faults/'.length, -'.json'.length);
      for (const faults of [[], [fault]]) {
        eachState(file, faults, 150, (s) => {
          const all: number[] = [];
          const inStrings: string[] = [];
          const w = s.w as unknown as Record<string, unknown>;
          for (const k in w) if (!WORLD_SKIP.has(k)) everyId(w[k], all, inStrings);
          everyId(s.spec, all, inStrings);
          everyId(s.ghost, all, inStrings);
          everyId(s.watch, all, inStrings);
          // Every occurrence (not only every value): a copy kept elsewhere would stay unrenamed.
          const looked = sorted(mintedIds(s));
          expect(sorted(all), `${file} ${faults.join(',')}`).toEqual(looked);
          expect(inStrings, file).toEqual([]);
          if (looked.length > 0) withIds += 1;
          most = Math.max(most, new Set(looked).size);
        });
      }
    }
    // Not vacuous: ids are minted and kept, several at a time.
    expect(withIds).toBeGreaterThan(100);
    expect(most).toBeGreaterThan(2);
  });
});
