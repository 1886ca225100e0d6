/**
 * Page shapes (properties/check/shapes.ts), the coverage feedback's view of page state: they
 * tell apart the states the search should be drawn to, and a generated run reports them.
 */
import { expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../properties/check/defaults.js';
import { runChoices } from '../properties/check/run.js';
import { addShapes, SHAPE_BASE } from '../properties/check/shapes.js';
import { fullProfile } from '../properties/gen/profile.js';
import { Session } from '../properties/session.js';
import { TraceRunner } from '../properties/trace/runner.js';
import type { TraceStep } from '../properties/trace/types.js';

/** The shape codes of the world after each step (one set per step). */
function shapesAfter(steps: readonly TraceStep[]): number[][] {
  const session = new Session(DEFAULT_CONFIG, []);
  const runner = new TraceRunner(session);
  return steps.map((s, i) => {
    const r = runner.exec(s, i);
    expect(r.result).toMatchObject({ ok: true });
    const out = new Set<number>();
    addShapes(session.w, out);
    return [...out].map((f) => f - SHAPE_BASE);
  });
}

const STALE_PIN = 1 << 22;
const PINNED = 1 << 23;
const MAPS_SHARED = 2 << (5 + 2);

it('a page shared by fork, pinned, and unmapped under the pin has three new shapes', () => {
  const [created, written, forked, pinned, unmapped] = shapesAfter([
    { op: 'obj.create', args: { obj: 'a', kind: 'anon', pages: 1 } },
    { op: 'cpu.write', args: { obj: 'a', page: 0, value: 1 } },
    { op: 'proc.fork', args: { child: 'c1' } },
    { op: 'imp.pin', args: { importer: 'dio0', obj: 'a', write: false } },
    { op: 'vma.unmap', args: { obj: 'a' } },
  ]);
  expect(created).toHaveLength(1);
  expect(written).not.toEqual(created);
  // After fork the parent's page and the child's share one frame (two mappings).
  expect(forked).toHaveLength(2);
  for (const code of forked ?? []) expect(code & MAPS_SHARED).toBe(MAPS_SHARED);
  const parentPinned = (pinned ?? []).filter((c) => (c & PINNED) !== 0);
  expect(parentPinned).toHaveLength(1);
  expect((parentPinned[0] ?? 0) & STALE_PIN).toBe(0);
  // Unmapped under the pin: the pin names a frame the page no longer has (a near miss).
  expect((unmapped ?? []).some((c) => (c & STALE_PIN) !== 0)).toBe(true);
});

it('a generated run reports page shapes among its features', () => {
  const choices = Array.from({ length: 40 }, (_, i) => (i * 7919) % 1000);
  const out = runChoices(DEFAULT_CONFIG, [], fullProfile(DEFAULT_CONFIG, 2), choices);
  const shapes = [...out.features].filter((f) => f >= SHAPE_BASE);
  expect(out.steps.some((s) => s.op === 'obj.create')).toBe(true);
  expect(shapes.length).toBeGreaterThan(0);
});
