/**
 * The package as an outside project gets it: `npm pack`, installed from the tarball into a
 * temporary project outside the repository. There the command line checks, replays and exports
 * a test that passes under vitest; the library works and its types check; `docs` says where the
 * reference is instead of crashing; every link of the shipped reference resolves inside the
 * tarball. Nothing is left in the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linksOf } from './support/markdown.js';

const REPO = resolve('.');
const PKG = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const TSC = join(REPO, 'node_modules', '.bin', 'tsc');

let work = '';
let project = '';
let packed: string[] = [];
let gitBefore = '';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The installed bin, as npx runs it (npx itself costs seconds a call). */
function bin(args: readonly string[]): Run {
  return run(join(project, 'node_modules', '.bin', 'devmem-model'), args);
}

function run(cmd: string, args: readonly string[], cwd = project): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

function gitStatus(): string {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
    cwd: REPO,
    encoding: 'utf8',
  });
}

beforeAll(() => {
  gitBefore = gitStatus();
  work = mkdtempSync(join(tmpdir(), 'devmem-package-'));
  const pack = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, pack[0]?.filename ?? '');
  packed = (pack[0]?.files ?? []).map((f) => f.path);
  project = join(work, 'project');
  mkdirSync(join(project, 'test'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'outside', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball],
    { cwd: project, stdio: 'ignore' },
  );
  // The project's test runner: this repository's vitest (the same pinned version), linked in
  // rather than installed again, which would take most of this file's time.
  symlinkSync(join(REPO, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball, installed outside the repository', () => {
  it('holds the built library with its declarations, the reference, the schema and the license', () => {
    for (const f of [
      'dist/properties/index.js',
      'dist/properties/index.d.ts',
      'dist/src/cli/main.js',
      'docs/README.md',
      'docs/contract.md',
      'schema/devmem-trace-1.json',
      'LICENSE',
      'README.md',
    ])
      expect(packed, f).toContain(f);
    expect(packed.filter((f) => f.startsWith('test/') && f.endsWith('.ts'))).toEqual([]);
  });

  it('links nothing in its README and reference that it does not ship', () => {
    const shipped = new Set(packed.map((f) => normalize(f)));
    const dirs = new Set(
      packed.flatMap((f) => f.split('/').map((_, i, a) => a.slice(0, i).join('/'))),
    );
    const bad: string[] = [];
    for (const file of packed.filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(project, 'node_modules', 'devmem-model', file), 'utf8');
      for (const l of linksOf(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(l.target) || l.target.startsWith('#')) continue;
        const path = normalize(
          join(dirname(file), decodeURIComponent(l.target.split('#')[0] ?? '')),
        );
        if (!shipped.has(path) && !dirs.has(path)) bad.push(`${file}:${l.line} ${l.target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('lists its faults', () => {
    const r = bin(['faults']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('skip-read-retry');
  });

  it('prints its version', () => {
    expect(run('npx', ['devmem-model', '--version']).out.trim()).toBe(PKG.version);
  });

  it('checks, replays and exports a test that passes under vitest', () => {
    const check = bin(['check', '--faults', 'orphan-never-freed', '--seed', '1', '--out', 'ce']);
    expect(check.code, check.err).toBe(1);
    const [file] = readdirSync(join(project, 'ce'));
    expect(file).toMatch(/^Lifecycle\.NoLeaks-orphan-never-freed-1-[0-9a-f]{8}\.json$/);
    const replay = bin(['replay', `ce/${file}`, '--json']);
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.out.trim().split('\n').at(-1) ?? '{}').type).toBe('verdict');
    const exported = bin(['export-test', `ce/${file}`]);
    expect(exported.code, exported.err).toBe(0);
    writeFileSync(join(project, 'test', 'found.test.ts'), exported.out);
    const vitest = run('node', [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run']);
    expect(vitest.code, vitest.out + vitest.err).toBe(0);
    expect(vitest.out).toMatch(/1 passed/);
  });

  it('is a typed library: check, replay, loadTrace, validateTrace, faults', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        include: ['use.ts'],
      }),
    );
    writeFileSync(
      join(project, 'use.ts'),
      `import {
  check,
  faults,
  type CheckResult,
  loadTrace,
  replay,
  type ReplayReport,
  type Trace,
  type TraceConfig,
  unmetExpectations,
  validateTrace,
  version,
} from 'devmem-model';

const config: TraceConfig = { systemFrames: 4, devices: [{ id: 'gpu0', vramFrames: 2 }] };
const trace: Trace = validateTrace({ format: 'devmem-trace/1', config, steps: [] });
const report: ReplayReport = replay(trace, { faults: [] });
const problems: string[] = unmetExpectations(report);
const names: string[] = faults.map((f) => f.name);
const result: Promise<CheckResult> = check({ config, runs: 10, seed: 1 });
export { loadTrace, names, problems, result, version };
`,
    );
    const ok = run(TSC, ['-p', '.']);
    expect(ok.code, ok.out + ok.err).toBe(0);
    writeFileSync(
      join(project, 'use.ts'),
      `import { faults } from 'devmem-model';\nexport const n: number = faults[0]?.name;\n`,
    );
    const bad = run(TSC, ['-p', '.']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/Type 'string.*' is not assignable to type 'number'/);
  });

  it('runs the library: check finds a fault and replay reproduces it', () => {
    const script = `
import { check, replay, validateTrace, unmetExpectations } from 'devmem-model';
const r = await check({ faults: ['orphan-never-freed'], seed: 1 });
const t = validateTrace(JSON.parse(JSON.stringify(r.failure.trace)));
const again = replay(t);
console.log(JSON.stringify({ found: r.failure.violations.map((v) => v.invariant), replayed: again.violations.map((v) => v.invariant), ok: again.ok, unmet: unmetExpectations(again).length }));
`;
    const r = run('node', ['--input-type=module', '-e', script]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.found).toContain('Lifecycle.NoLeaks');
    expect(j.replayed).toEqual(j.found);
    expect(j).toMatchObject({ ok: false, unmet: 1 });
  });

  it('says where the reference is instead of crashing in docs', () => {
    const r = bin(['docs']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(join('node_modules', 'devmem-model', 'docs', 'README.md'));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('exports the JSON Schema for editors', () => {
    const r = run('node', [
      '--input-type=module',
      '-e',
      "console.log(import.meta.resolve('devmem-model/schema/devmem-trace-1.json'))",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('node_modules/devmem-model/schema/devmem-trace-1.json');
  });

  it('left nothing behind in the repository', () => {
    expect(gitStatus()).toBe(gitBefore);
  });
});
