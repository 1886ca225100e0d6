/**
 * Kernel.NoLockOnReturn looks at every kind of thing a process can hold: each is set by hand on
 * a real world (a process that "returned" with it), and the invariant must name it. The fault
 * catalogue shows the importer lock (eagain-keeps-lock); this covers the other kinds.
 */
import { describe, expect, it } from 'vitest';
import { heldBy } from '../properties/invariants/kernel-no-lock-on-return.js';
import { Session } from '../properties/session.js';
import { TraceRunner } from '../properties/trace/runner.js';
import { normalizeConfig } from '../src/world/config.js';
import type { AnonObj, BoObj, World } from '../src/world/types.js';

const PID = 99;

function world(): World {
  const s = new Session(
    normalizeConfig({
      systemFrames: 4,
      swapSlots: 1,
      devices: [{ id: 'gpu0', vramFrames: 2, memory: 'private' }],
      importers: [{ id: 'mirror0', kind: 'mirror', device: 'gpu0' }],
    }),
    [],
  );
  const runner = new TraceRunner(s);
  const steps = [
    { op: 'obj.create', args: { obj: 'a', kind: 'anon', pages: 2 } },
    {
      op: 'obj.create',
      args: { obj: 'b', kind: 'bo', pages: 1, device: 'gpu0', domains: ['vram', 'system'] },
    },
    { op: 'imp.attach', args: { importer: 'mirror0', obj: 'a' } },
    { op: 'cpu.write', args: { obj: 'a', page: 1, value: 5 } },
  ];
  steps.forEach((step, i) => {
    runner.exec(step, i);
  });
  expect(s.violations).toBeNull();
  expect(Object.keys(s.w.objects)).toEqual(['a', 'b']);
  expect(heldBy(s.w, PID)).toBeNull();
  return s.w;
}

const anon = (w: World) => w.objects.a as AnonObj;
const bo = (w: World) => w.objects.b as BoObj;

const HELD: readonly [string, (w: World) => void, string][] = [
  [
    'a page lock',
    (w) => Object.assign(anon(w).page[1] ?? {}, { lockedBy: PID }),
    'page lock of a page 1',
  ],
  [
    'a migration entry',
    (w) => {
      const pg = anon(w).page[1];
      if (pg?.pte.t !== 'present') throw new Error('page 1 is not present');
      pg.pte = { t: 'migration', f: pg.pte.f, dirty: true, write: true, by: PID, priv: false };
    },
    'migration entry for a page 1',
  ],
  ['mmap_lock for read', (w) => anon(w).mmap.readers.push(PID), 'mmap_lock of a'],
  ['mmap_lock for write', (w) => Object.assign(anon(w).mmap, { writer: PID }), 'mmap_lock of a'],
  [
    'a driver lock',
    (w) => Object.assign(w.importers.mirror0 ?? {}, { driverLock: PID }),
    "mirror0's driver lock",
  ],
  [
    'a notifier lock',
    (w) => Object.assign(w.importers.mirror0 ?? {}, { notifierLock: PID }),
    "mirror0's notifier lock",
  ],
  ['a dma_resv', (w) => Object.assign(bo(w), { resv: PID }), "b's dma_resv"],
  ['a bo move', (w) => Object.assign(bo(w), { movingBy: PID }), "b's move"],
  [
    'a device event',
    (w) => Object.assign(w.devices.gpu0 ?? {}, { eventBy: PID }),
    "gpu0's device event",
  ],
  [
    'an open invalidation',
    (w) => w.mm.ranges.push({ id: 1, obj: 'a', by: PID, overlapped: true }),
    'open invalidation of a',
  ],
];

describe('Kernel.NoLockOnReturn sees everything a returned process may still hold', () => {
  for (const [what, hold, named] of HELD) {
    it(what, () => {
      const w = world();
      hold(w);
      expect(heldBy(w, PID)?.what).toContain(named);
      // Held by another (running) process, it is not this one's.
      expect(heldBy(w, PID + 1)).toBeNull();
    });
  }
});
