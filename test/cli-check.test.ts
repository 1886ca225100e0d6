/**
 * check: a heartbeat off a terminal and a time budget, counterexamples that are never lost
 * (names that do not collide, no overwriting, --out checked first), and a found block from which
 * `check --from` re-runs the search.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { counterexampleName, writeCounterexample } from '../src/cli/counterexample.js';
import { main } from '../src/cli/program.js';
import { checkCli, cli, recordingIo } from './support/cli.js';
import { tempDir, writeTemp } from './support/files.js';

function fileOf(out: string): string {
  return /counterexample: (\S+)/.exec(out)?.[1] ?? '';
}

describe('check off a terminal', () => {
  it('prints a heartbeat line every 10 s with runs, steps/s, elapsed time and the seed', () => {
    let t = 0;
    // Each reading of the clock is 2.5 s later: a heartbeat every four runs or so.
    const { io, err, out } = recordingIo({ now: () => (t += 2500) });
    expect(
      main(['check', '--workers', '1', '--runs', '40', '--seed', '5', '--out', tempDir()], io),
    ).toBe(0);
    expect(err.length).toBeGreaterThan(2);
    for (const l of err)
      expect(l).toMatch(/^check: run [\d,]+\/40 · [\d,]+ steps\/s · [\d.]+ s · seed 5$/);
    expect(out.join('\n')).toContain('ok: no violation in 40 runs');
  });

  it('says when it starts shrinking', () => {
    let t = 0;
    const { io, err } = recordingIo({ now: () => (t += 11_000) });
    const code = main(
      ['check', '--workers', '1', '--faults', 'skip-read-retry', '--seed', '1', '--out', tempDir()],
      io,
    );
    expect(code).toBe(1);
    const shrinking =
      /^check: shrinking the [\d,]+-step counterexample found after \d+ runs · [\d.]+ s · seed 1$/;
    expect(
      err.some((l) => shrinking.test(l)),
      err.join('\n'),
    ).toBe(true);
  });

  it('stops starting runs when the --time budget is spent, and says so', () => {
    const t0 = performance.now();
    const r = checkCli('--runs', '1000000000', '--time', '0.5', '--seed', '2', '--out', tempDir());
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /ok: no violation in [\d,]+ runs .*stopped by --time 0.5 s after [\d,]+ of 1,000,000,000 runs/,
    );
    expect(performance.now() - t0).toBeLessThan(30_000);
    const j = JSON.parse(
      checkCli('--runs', '1000000000', '--time', '0.2', '--json', '--out', tempDir()).out,
    );
    expect(j.outOfTime).toBe(true);
    expect(j.runsDone).toBeLessThan(1_000_000_000);
  });
});

describe('--out', () => {
  it('is checked before the search: exit 2, one line and the usage line, nothing run', () => {
    const file = writeTemp('plain-file', 'x');
    for (const out of ['/dev/null', join(file, 'sub'), file]) {
      const t0 = performance.now();
      const r = checkCli('--faults', 'skip-read-retry', '--seed', '1', '--out', out);
      expect(r.code, `${out}: ${r.err}`).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.split('\n')[0]).toMatch(/--out .*not a directory/);
      expect(performance.now() - t0).toBeLessThan(5000);
    }
  });

  it('may not exist yet: it is created when a counterexample is written', () => {
    const out = join(tempDir(), 'a', 'b');
    const r = checkCli('--faults', 'orphan-never-freed', '--seed', '1', '--out', out);
    expect(r.code).toBe(1);
    expect(fileOf(r.out).startsWith(out)).toBe(true);
  });
});

describe('counterexample files', () => {
  it('do not collide between faults that share a seed and an invariant', () => {
    const out = tempDir();
    const a = checkCli('--faults', 'skip-read-retry', '--seed', '1', '--out', out);
    const b = checkCli('--faults', 'retry-outside-lock', '--seed', '1', '--out', out);
    expect([a.code, b.code]).toEqual([1, 1]);
    expect(fileOf(a.out)).not.toBe(fileOf(b.out));
    expect(readdirSync(out).sort()).toHaveLength(2);
    expect(JSON.parse(readFileSync(fileOf(a.out), 'utf8')).faults).toEqual(['skip-read-retry']);
  });

  it('are named by invariant, faults, seed and a hash of the other options', () => {
    const key = {
      invariant: 'Map.NoStalePfn',
      faults: ['skip-read-retry'],
      focus: [] as string[],
      seed: 7,
      runs: 100,
      maxSteps: 120,
      deviceEvents: 2,
      config: { systemFrames: 4 },
    };
    const name = counterexampleName(key);
    expect(name).toMatch(/^Map\.NoStalePfn-skip-read-retry-7-[0-9a-f]{8}$/);
    expect(counterexampleName({ ...key, runs: 101 })).not.toBe(name);
    expect(counterexampleName({ ...key, config: { systemFrames: 5 } })).not.toBe(name);
    expect(counterexampleName({ ...key, faults: [] })).toMatch(/-none-7-/);
    expect(counterexampleName({ ...key, focus: ['mirror'] })).not.toBe(name);
  });

  it('are reused by the same search and never overwrite a different file', () => {
    const out = tempDir();
    const first = writeCounterexample(out, 'X-none-1-00000000', 'one\n');
    expect(writeCounterexample(out, 'X-none-1-00000000', 'one\n')).toBe(first);
    const second = writeCounterexample(out, 'X-none-1-00000000', 'two\n');
    expect(second).toBe(join(out, 'X-none-1-00000000-2.json'));
    expect(readFileSync(first, 'utf8')).toBe('one\n');
    expect(readFileSync(second, 'utf8')).toBe('two\n');
    // No temporary file is left behind.
    expect(readdirSync(out).sort()).toEqual(['X-none-1-00000000-2.json', 'X-none-1-00000000.json']);
  });

  it('two checks writing into one --out at once keep both counterexamples', async () => {
    const out = tempDir();
    const one = (fault: string) =>
      new Promise<string>((done) => {
        const p = spawn('node', [
          'dist/src/cli/main.js',
          'check',
          '--faults',
          fault,
          '--seed',
          '1',
          '--out',
          out,
        ]);
        let text = '';
        p.stdout.on('data', (d) => {
          text += String(d);
        });
        p.on('close', () => done(fileOf(text)));
      });
    const files = await Promise.all([one('skip-read-retry'), one('retry-outside-lock')]);
    expect(new Set(files).size).toBe(2);
    for (const f of files)
      expect(JSON.parse(readFileSync(f, 'utf8')).format).toBe('devmem-trace/1');
    expect(readdirSync(out).sort()).toEqual(files.map((f) => f.slice(out.length + 1)).sort());
  });

  it('the same search run twice writes one file', () => {
    const out = tempDir();
    const a = checkCli('--faults', 'orphan-never-freed', '--seed', '3', '--out', out);
    const b = checkCli('--faults', 'orphan-never-freed', '--seed', '3', '--out', out);
    expect(fileOf(a.out)).toBe(fileOf(b.out));
    expect(readdirSync(out)).toHaveLength(1);
  });
});

describe('found and check --from', () => {
  it('records every option, the configuration and the version', () => {
    const config = writeTemp(
      'config.json',
      JSON.stringify({
        systemFrames: 6,
        devices: [{ id: 'gpu0', vramFrames: 4 }],
        importers: [{ id: 'm0', kind: 'mirror', device: 'gpu0' }],
      }),
    );
    const r = checkCli(
      '--faults',
      'skip-read-retry',
      '--seed',
      '4',
      '--runs',
      '20000',
      '--max-steps',
      '80',
      '--device-events',
      '1',
      '--config',
      config,
      '--out',
      tempDir(),
    );
    expect(r.code, r.out).toBe(1);
    const t = JSON.parse(readFileSync(fileOf(r.out), 'utf8'));
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(t.found).toMatchObject({
      version: pkg.version,
      focus: [],
      seed: 4,
      runs: 20000,
      maxSteps: 80,
      deviceEvents: 1,
      faults: ['skip-read-retry'],
      config: { systemFrames: 6, devices: [{ id: 'gpu0', vramFrames: 4 }] },
    });
    expect(t.found.invariants).toContain('Map.NoStalePfn');
  });

  it('records --focus and refuses a family that does not exist', () => {
    const r = checkCli(
      '--faults',
      'skip-read-retry',
      '--focus',
      'mirror,reclaim',
      '--seed',
      '1',
      '--out',
      tempDir(),
    );
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toContain('  focus: mirror, reclaim');
    expect(JSON.parse(readFileSync(fileOf(r.out), 'utf8')).found.focus).toEqual([
      'mirror',
      'reclaim',
    ]);
    const bad = checkCli('--focus', 'mirror,nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Unknown family "nope"');
  });

  it('re-runs that exact search from the file alone', () => {
    const out = tempDir();
    const r = checkCli(
      '--faults',
      'skip-read-retry',
      '--seed',
      '9',
      '--runs',
      '5000',
      '--out',
      out,
    );
    const file = fileOf(r.out);
    const again = cli('check', '--from', file, '--out', out);
    expect(again.code).toBe(1);
    expect(again.out).toContain('seed 9 · runs 5000 ·');
    expect(again.out).toContain(`reproduced: the same steps as ${file}`);
    expect(fileOf(again.out)).toBe(file);
  });

  it('refuses search options beside --from, and files that record no search', () => {
    const r = cli('check', '--from', 'x.json', '--seed', '3');
    expect(r.code).toBe(2);
    expect(r.err).toContain("'--from <file>' cannot be used with option '--seed <s>'");
    const plain = cli('check', '--from', 'test/regressions/migrate-ignores-pin.json');
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(
      /found: written by a devmem-model that did not record its search; search again with check --seed \d+ --faults migrate-ignores-pin/,
    );
    const none = cli('check', '--from', `test/scenarios/${readdirSync('test/scenarios')[0]}`);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no found block');
  });

  it('warns on stderr when another version found it', () => {
    const out = tempDir();
    const r = checkCli('--faults', 'orphan-never-freed', '--seed', '1', '--out', out);
    const t = JSON.parse(readFileSync(fileOf(r.out), 'utf8'));
    t.found.version = '0.0.1';
    const dir = join(tempDir(), 'old');
    mkdirSync(dir);
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify(t));
    const again = cli('check', '--from', file, '--out', out);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/was found by devmem-model 0\.0\.1, this is /);
  });
});
