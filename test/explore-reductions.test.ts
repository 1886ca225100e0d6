/**
 * explore's reductions lose no violation: small scopes explored with no reduction, with each
 * one alone and with all of them give the same verdict and the same set of violated invariants
 * (collected over every reachable state); and a symmetry declaration that does not hold is bad
 * input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Exploration, ORDER_SENSITIVE_OPS } from '../properties/explore/explore.js';
import { Model } from '../properties/explore/model.js';
import { loadScope, type Scope, ScopeError, validateScope } from '../properties/explore/scope.js';
import {
  ALL_REDUCTIONS,
  NO_REDUCTIONS,
  REDUCTION_NAMES,
  type Reductions,
  Search,
  UNBOUNDED,
} from '../properties/explore/search.js';
import { symmetryOf } from '../properties/explore/symmetry.js';

const op = (o: string, args: Record<string, unknown>) => ({ op: o, args });

/** Two mirrors that attach and map while the page migrates: interchangeable. */
const MIRRORS = {
  format: 'devmem-scope/1',
  config: {
    systemFrames: 2,
    swapSlots: 0,
    devices: [{ id: 'gpu0', vramFrames: 2, memory: 'coherent' }],
    importers: [
      { id: 'odp1', kind: 'mirror' },
      { id: 'odp2', kind: 'mirror' },
    ],
  },
  setup: [
    op('obj.create', { obj: 'a', kind: 'anon', pages: 1 }),
    op('cpu.write', { obj: 'a', page: 0, value: 1 }),
  ],
  threads: [
    { name: 'mig', ops: [op('obj.migrate', { obj: 'a', to: 'vram', device: 'gpu0' })] },
    {
      name: 'r1',
      ops: [
        op('imp.attach', { importer: 'odp1', obj: 'a' }),
        op('imp.map', { importer: 'odp1', obj: 'a' }),
      ],
    },
    {
      name: 'r2',
      ops: [
        op('imp.attach', { importer: 'odp2', obj: 'a' }),
        op('imp.map', { importer: 'odp2', obj: 'a' }),
      ],
    },
  ],
  symmetric: [['odp1', 'odp2']],
};

/** Two objects alike, each migrated into one frame of VRAM while the CPU reads it. */
const OBJECTS = {
  format: 'devmem-scope/1',
  config: {
    systemFrames: 2,
    swapSlots: 0,
    devices: [{ id: 'gpu0', vramFrames: 1, memory: 'private' }],
  },
  setup: [
    op('obj.create', { obj: 'a1', kind: 'anon', pages: 1 }),
    op('obj.create', { obj: 'a2', kind: 'anon', pages: 1 }),
    op('cpu.write', { obj: 'a1', page: 0, value: 1 }),
    op('cpu.write', { obj: 'a2', page: 0, value: 1 }),
  ],
  threads: [
    { name: 'm1', ops: [op('obj.migrate', { obj: 'a1', to: 'vram', device: 'gpu0' })] },
    { name: 'm2', ops: [op('obj.migrate', { obj: 'a2', to: 'vram', device: 'gpu0' })] },
    { name: 'r1', ops: [op('cpu.read', { obj: 'a1', page: 0 })] },
    { name: 'r2', ops: [op('cpu.read', { obj: 'a2', page: 0 })] },
  ],
  symmetric: [['a1', 'a2']],
};

interface Case {
  readonly name: string;
  readonly scope: Scope;
  readonly faults: readonly string[];
}

const CASES: Case[] = [
  { name: 'two mirrors', scope: validateScope(MIRRORS), faults: [] },
  {
    name: 'two mirrors, skip-read-retry',
    scope: validateScope(MIRRORS),
    faults: ['skip-read-retry'],
  },
  { name: 'two objects', scope: validateScope(OBJECTS), faults: [] },
  {
    name: 'two objects, vram-overcommit',
    scope: validateScope(OBJECTS),
    faults: ['vram-overcommit'],
  },
  ...[
    'skip-read-retry',
    'eagain-keeps-lock',
    'new-subscription-valid',
    'no-fence-wait-on-move',
    'invalidate-vs-detach',
    'resume-without-revalidate',
  ].flatMap((f) => {
    const scope = loadScope(`scopes/faults/${f}.json`);
    return [
      { name: `${f} scope`, scope, faults: [] },
      { name: `${f} scope, with the fault`, scope, faults: [f] },
    ];
  }),
];

function variants(): [string, Reductions][] {
  return [
    ['none', NO_REDUCTIONS],
    ...REDUCTION_NAMES.map((n): [string, Reductions] => [n, { ...NO_REDUCTIONS, [n]: true }]),
    ['all', ALL_REDUCTIONS],
  ];
}

interface All {
  readonly verdict: string | undefined;
  readonly violated: readonly string[];
  readonly states: number;
  readonly transitions: number;
}

const memo = new Map<string, All>();

/** Every invariant violated at some reachable state (the search goes on past violations). */
function everything(c: Case, reductions: Reductions): All {
  const key = `${c.name} ${JSON.stringify(reductions)}`;
  const known = memo.get(key);
  if (known) return known;
  const got = explored(c, reductions);
  memo.set(key, got);
  return got;
}

function explored(c: Case, reductions: Reductions): All {
  const model = new Model(c.scope, c.faults);
  const start = model.initial().state;
  const renamings = symmetryOf(model, start);
  const s = new Search(model, { reductions, bounds: UNBOUNDED, all: true, renamings }, start);
  const v = s.run();
  return {
    verdict: v?.k,
    violated: [...s.violated].sort(),
    states: s.stats.states,
    transitions: s.stats.transitions,
  };
}

function firstVerdict(c: Case, reductions: Reductions): string {
  const ex = new Exploration(c.scope, c.name, { faults: c.faults, reductions, bounds: UNBOUNDED });
  return ex.runAll().outcome.k;
}

describe('reductions keep every violation', () => {
  for (const c of CASES) {
    it(`${c.name}: same verdicts and violated invariants with and without each reduction`, () => {
      const base = everything(c, NO_REDUCTIONS);
      expect(base.verdict).toBe('verified');
      expect(base.violated.length > 0).toBe(c.faults.length > 0);
      // Stopping at the first violation: the verdict is the same too.
      const first = c.faults.length > 0 ? firstVerdict(c, NO_REDUCTIONS) : 'verified';
      expect(first).toBe(c.faults.length > 0 ? 'violation' : 'verified');
      for (const [name, r] of variants()) {
        const got = everything(c, r);
        expect(got.violated, name).toEqual(base.violated);
        expect(got.states, name).toBeLessThanOrEqual(base.states);
        expect(got.transitions, name).toBeLessThanOrEqual(base.transitions);
        if (c.faults.length > 0) expect(firstVerdict(c, r), name).toBe(first);
      }
    });
  }

  it('symmetry halves two interchangeable mirrors, and each reduction pays somewhere', () => {
    const c = CASES[0] as Case;
    const none = everything(c, NO_REDUCTIONS).states;
    const sym = everything(c, { ...NO_REDUCTIONS, symmetry: true }).states;
    expect(sym).toBeLessThan(none * 0.6);
    for (const [name, r] of variants().slice(1)) {
      // Sleep sets take fewer transitions; the others keep fewer states.
      const size = (a: All) => (name === 'por' ? a.transitions : a.states);
      const fewer = CASES.some((k) => size(everything(k, r)) < size(everything(k, NO_REDUCTIONS)));
      expect(fewer, name).toBe(true);
    }
  });

  it('the procs reduction: every read of the process list in src/ is known', () => {
    // The procs reduction takes pending processes as a set: a read that depends on their order
    // (the first one that …) must switch it off for scopes using that operation
    // (ORDER_SENSITIVE_OPS); order-independent reads (some, find by unique label) need nothing.
    const uses: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (p.endsWith('.ts'))
          for (const line of readFileSync(p, 'utf8').split('\n'))
            if (/\bw\.procs\b/.test(line)) uses.push(`${p}: ${line.trim()}`);
      }
    };
    walk('src');
    expect(uses.sort()).toEqual([
      'src/exec/kernel.ts: return w.procs.find((p) => p.label === label);',
      'src/exec/kernel.ts: w.procs = w.procs.filter((x) => x !== p);',
      'src/exec/kernel.ts: w.procs.push(proc);',
      'src/kernel/reclaim.ts: if (w.procs.some((q) => q.holds.includes(f))) continue;',
      'src/ops/dev-unplug.ts: const holder = w.procs.find(',
    ]);
    expect(ORDER_SENSITIVE_OPS).toEqual(['dev.unplug']);
  });

  it('partial-order reduction: removing a completed process is the only filter of procs', () => {
    // footprint.ts does not count `procs.filter` as reading every process: it assumes the only
    // such call is kernel.ts removing a completed process by identity. A new one needs a look.
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /procs\s*\.filter\(/.test(readFileSync(p, 'utf8')))
          hits.push(p);
      }
    };
    walk('src');
    expect(hits).toEqual([join('src', 'exec', 'kernel.ts')]);
    expect(readFileSync('src/exec/kernel.ts', 'utf8')).toContain('w.procs.filter((x) => x !== p)');
  });
});

describe('a symmetry declaration must hold', () => {
  const bad = (patch: Record<string, unknown>) => () => {
    const raw = { ...MIRRORS, ...patch };
    const model = new Model(validateScope(raw), []);
    symmetryOf(model, model.initial().state);
  };

  it('names end in a digit', () => {
    const raw = JSON.parse(JSON.stringify(MIRRORS).replaceAll('odp1', 'odpx'));
    expect(bad(raw)).toThrow(ScopeError);
    expect(bad(raw)).toThrow(/"odpx" must be a letter/);
  });

  it('importers of a group are configured alike', () => {
    const config = {
      ...MIRRORS.config,
      devices: [...MIRRORS.config.devices, { id: 'gpu1', vramFrames: 1 }],
      importers: [
        { id: 'odp1', kind: 'mirror' },
        { id: 'odp2', kind: 'mirror', device: 'gpu1' },
      ],
    };
    expect(bad({ config })).toThrow(/"odp2" is configured unlike "odp1"/);
  });

  it('renaming maps the workload onto itself', () => {
    const threads = MIRRORS.threads.slice(0, 2);
    expect(bad({ threads })).toThrow(/does not map the workload onto itself/);
  });

  it('objects of a group are created alike', () => {
    const setup = [
      op('obj.create', { obj: 'a1', kind: 'anon', pages: 1 }),
      op('obj.create', { obj: 'a2', kind: 'anon', pages: 2 }),
    ];
    const raw = { ...OBJECTS, setup };
    const model = new Model(validateScope(raw), []);
    expect(() => symmetryOf(model, model.initial().state)).toThrow(/"a2" is created unlike "a1"/);
  });
});
