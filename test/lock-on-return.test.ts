/**
 * What an operation may leave behind when it returns. Kernel.NoLockOnReturn looks at every kind
 * of thing a process can hold: each is set by hand on a real world (a process that "returned"
 * with it), and the invariant must name it; the fault catalogue shows the importer lock
 * (eagain-keeps-lock), this covers the other kinds. Frame.NoRefLeak counts a frame's references
 * against the running operations that hold it (its fault shows a leak; this also a negative
 * count and a reference that is legitimately held).
 */
import { describe, expect, it } from 'vitest';
import { frameNoRefLeak } from '../properties/invariants/frame-no-ref-leak.js';
import { heldBy, kernelNoLockOnReturn } from '../properties/invariants/kernel-no-lock-on-return.js';
import type { CheckCtx } from '../properties/invariants/types.js';
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

interface Held {
  readonly what: string;
  readonly obj?: string;
  readonly importer?: string;
}

const HELD: readonly [string, (w: World) => void, Held][] = [
  [
    'a page lock',
    (w) => Object.assign(anon(w).page[1] ?? {}, { lockedBy: PID }),
    { what: 'the page lock of a page 1', obj: 'a' },
  ],
  [
    'a migration entry',
    (w) => {
      const pg = anon(w).page[1];
      if (pg?.pte.t !== 'present') throw new Error('page 1 is not present');
      pg.pte = { t: 'migration', f: pg.pte.f, dirty: true, write: true, by: PID, priv: false };
    },
    { what: 'a migration entry for a page 1', obj: 'a' },
  ],
  [
    'mmap_lock for read',
    (w) => anon(w).mmap.readers.push(PID),
    { what: 'the mmap_lock of a', obj: 'a' },
  ],
  [
    'mmap_lock for write',
    (w) => Object.assign(anon(w).mmap, { writer: PID }),
    { what: 'the mmap_lock of a', obj: 'a' },
  ],
  [
    'a driver lock',
    (w) => Object.assign(w.importers.mirror0 ?? {}, { driverLock: PID }),
    { what: "mirror0's driver lock", importer: 'mirror0' },
  ],
  [
    'a notifier lock',
    (w) => Object.assign(w.importers.mirror0 ?? {}, { notifierLock: PID }),
    { what: "mirror0's notifier lock", importer: 'mirror0' },
  ],
  ['a dma_resv', (w) => Object.assign(bo(w), { resv: PID }), { what: "b's dma_resv", obj: 'b' }],
  ['a bo move', (w) => Object.assign(bo(w), { movingBy: PID }), { what: "b's move", obj: 'b' }],
  [
    'a device event',
    (w) => Object.assign(w.devices.gpu0 ?? {}, { eventBy: PID }),
    { what: "gpu0's device event" },
  ],
  [
    'an open invalidation',
    (w) => w.mm.ranges.push({ id: 1, obj: 'a', by: PID, overlapped: true }),
    { what: 'an open invalidation of a', obj: 'a' },
  ],
];

const returned = { pid: PID, label: 'p9', op: 'imp.map' };

describe('Kernel.NoLockOnReturn sees everything a returned process may still hold', () => {
  for (const [what, hold, held] of HELD) {
    it(what, () => {
      const w = world();
      hold(w);
      expect(heldBy(w, PID)).toEqual(held);
      // Held by another (running) process, it is not this one's.
      expect(heldBy(w, PID + 1)).toBeNull();
      const ctx = (finished: typeof returned | null) => ({ w, finished }) as unknown as CheckCtx;
      expect(kernelNoLockOnReturn.check(ctx(returned))).toEqual({
        message: `p9 (imp.map, pid ${PID}) returned holding ${held.what}`,
        ...(held.obj ? { objs: [held.obj] } : {}),
        ...(held.importer ? { importers: [held.importer] } : {}),
      });
      // Only a step that returns is looked at.
      expect(kernelNoLockOnReturn.check(ctx(null))).toBeNull();
    });
  }
});

describe('Frame.NoRefLeak counts references against running operations', () => {
  const check = (w: World) =>
    frameNoRefLeak.check({
      w,
      finished: { pid: PID, label: 'p', op: 'obj.migrate' },
    } as unknown as CheckCtx);
  const present = (w: World): number => {
    const pte = anon(w).page[1]?.pte;
    if (pte?.t !== 'present') throw new Error('page 1 is not present');
    return pte.f;
  };

  it('a reference a running operation holds the frame for is not a leak', () => {
    const w = world();
    const f = present(w);
    const fr = w.frames[f];
    if (!fr) throw new Error('no frame');
    fr.refs = 1;
    w.procs.push({
      pid: PID + 1,
      label: 'q',
      op: 'obj.migrate',
      args: {},
      pc: 'copy',
      wait: null,
      holds: [f, f + 1],
      st: null,
    });
    expect(check(w)).toBeNull();
    // Two references, one pointer (the other is to another frame): one outlived its operation.
    fr.refs = 2;
    expect(check(w)).toEqual({
      message: `frame ${f} keeps 2 references but running operations hold it 1 time, after p (obj.migrate, pid ${PID}) returned`,
      frames: [f],
    });
    // A second pointer (the same operation's, or another's) accounts for the second reference.
    w.procs.push({
      pid: PID + 2,
      label: 'r',
      op: 'imp.pin',
      args: {},
      pc: 'pin',
      wait: null,
      holds: [7, f],
      st: null,
    });
    expect(check(w)).toBeNull();
    fr.refs = 0;
    expect(check(w)).toBeNull();
  });

  it('a reference nobody running holds, and a negative count, are reported', () => {
    const w = world();
    const f = present(w);
    const fr = w.frames[f];
    if (!fr) throw new Error('no frame');
    fr.refs = 1;
    expect(check(w)).toEqual({
      message: `frame ${f} keeps 1 reference but running operations hold it 0 times, after p (obj.migrate, pid ${PID}) returned`,
      frames: [f],
    });
    fr.refs = -1;
    expect(check(w)).toEqual({
      message: `frame ${f} has -1 references (a put without its get) after p (obj.migrate) returned`,
      frames: [f],
    });
    // Only a step that returns is looked at.
    expect(frameNoRefLeak.check({ w, finished: null } as unknown as CheckCtx)).toBeNull();
  });
});
