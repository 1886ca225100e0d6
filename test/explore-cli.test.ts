/**
 * `devmem-model explore`: what it prints and exits with when it verifies, finds a violation,
 * is cut by a bound, is interrupted or gets bad input.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { deadlocked } from '../properties/explore/model.js';
import { Session } from '../properties/session.js';
import { TraceRunner } from '../properties/trace/runner.js';
import { validateTrace } from '../properties/trace/schema.js';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { normalizeConfig } from '../src/world/config.js';
import { cli, cliAsync } from './support/cli.js';
import { tempDir, writeTemp } from './support/files.js';

const FAULT_SCOPE = 'scopes/faults/skip-read-retry.json';

/** Bad usage: exit 2, one line naming the problem, then the command's usage line. */
function expectUsage(r: { code: number; err: string }, text: string): void {
  expect(r.code).toBe(2);
  const lines = r.err.split('\n');
  expect(lines, r.err).toHaveLength(2);
  expect(lines[0]).toContain(text);
  expect(lines[1]).toMatch(/^usage: devmem-model explore /);
}

/** Invalid input: exit 2 and one line on stderr naming the file and the field. */
function expectOneLine(r: { code: number; err: string }, ...texts: string[]): void {
  expect(r.code).toBe(2);
  expect(r.err.split('\n')).toHaveLength(1);
  for (const t of texts) expect(r.err).toContain(t);
  expect(r.err).not.toMatch(/\n\s+at /);
}

function scopeFile(patch: Record<string, unknown>, drop: string[] = []): string {
  const raw: Record<string, unknown> = {
    ...JSON.parse(readFileSync(FAULT_SCOPE, 'utf8')),
    ...patch,
  };
  for (const k of drop) delete raw[k];
  return writeTemp('scope.json', JSON.stringify(raw));
}

describe('devmem-model explore', () => {
  it('verifies a complete scope: exit 0, "verified: N states, every invariant, no deadlock"', async () => {
    const r = await cliAsync('explore', FAULT_SCOPE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verified: [\d,]+ states, every invariant, no deadlock/);
    expect(r.out).toMatch(
      /[\d,]+ states · [\d,]+ transitions · depth \d+ · [\d.]+ s · [\d,]+ states\/s/,
    );
    expect(r.out).toContain('reductions: counters, procs');
  });

  it('writes the shortest counterexample, which replay runs to exit 1 naming the invariant', async () => {
    const out = tempDir();
    const r = await cliAsync('explore', FAULT_SCOPE, '--faults', 'skip-read-retry', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/VIOLATION: shortest trace \d+ commands after the setup \(\d+ steps\)/);
    expect(r.out).toContain('  Map.NoStalePfn: ');
    const file = /counterexample: (\S+)/.exec(r.out)?.[1] ?? '';
    expect(file).toBe(join(out, 'Map.NoStalePfn-skip-read-retry-skip-read-retry.json'));
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(trace.format).toBe('devmem-trace/1');
    expect(trace.expect).toBeUndefined();
    expect(trace.found.invariants).toContain('Map.NoStalePfn');
    expect(trace.found.scope).toBe(FAULT_SCOPE);
    const again = cli('replay', file);
    expect(again.code).toBe(1);
    expect(again.out).toContain('  Map.NoStalePfn: ');
  });

  it('a setup that violates is its own counterexample', async () => {
    const f = writeTemp(
      'setup.json',
      JSON.stringify({
        format: 'devmem-scope/1',
        config: { systemFrames: 2, devices: [{ id: 'gpu0', vramFrames: 1 }] },
        setup: [
          { op: 'obj.create', args: { obj: 'b', kind: 'anon', pages: 2 } },
          { op: 'obj.migrate', args: { obj: 'b', to: 'vram', device: 'gpu0' } },
        ],
        threads: [{ name: 'r', ops: [{ op: 'cpu.read', args: { obj: 'b', page: 0 } }] }],
      }),
    );
    const out = tempDir();
    const r = await cliAsync('explore', f, '--faults', 'vram-overcommit', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION: the setup itself (2 steps)');
    const file = /counterexample: (\S+)/.exec(r.out)?.[1] ?? '';
    const again = cli('replay', file);
    expect(again.code).toBe(1);
    expect(again.out).toContain('  Device.CapacityRespected: ');
  });

  it('prints one JSON object with --json', async () => {
    const r = await cliAsync('explore', FAULT_SCOPE, '--json');
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ scope: FAULT_SCOPE, outcome: 'verified', complete: true });
    expect(j.states).toBeGreaterThan(1);
    expect(j.transitions).toBeGreaterThanOrEqual(j.states - 1);
    const v = await cliAsync(
      'explore',
      FAULT_SCOPE,
      '--json',
      '--faults',
      'skip-read-retry',
      '--out',
      tempDir(),
    );
    expect(v.code).toBe(1);
    expect(JSON.parse(v.out).violation.invariants).toContain('Map.NoStalePfn');
  });

  it('says "not complete" and which bound cut the search, and exits 0', async () => {
    const s = await cliAsync('explore', 'scopes/notifier-3x2.json', '--max-states', '50');
    expect(s.code).toBe(0);
    expect(s.out).toContain('not complete: stopped at --max-states 50');
    const d = await cliAsync('explore', 'scopes/notifier-3x2.json', '--max-depth', '4', '--json');
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out)).toMatchObject({ outcome: 'not complete', cutBy: 'max-depth' });
    const t = await cliAsync('explore', 'scopes/notifier-3x2.json', '--time', '0.05');
    expect(t.code).toBe(0);
    expect(t.out).toContain('not complete: stopped at --time 0.05 s');
  });

  it('a bound that does not cut anything leaves the search complete', async () => {
    const r = await cliAsync(
      'explore',
      FAULT_SCOPE,
      '--max-depth',
      '100',
      '--max-states',
      '100000',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('verified: ');
  });

  it('compares with the reductions off (--reductions none)', async () => {
    const all = JSON.parse((await cliAsync('explore', FAULT_SCOPE, '--json')).out);
    const none = JSON.parse(
      (await cliAsync('explore', FAULT_SCOPE, '--json', '--reductions', 'none')).out,
    );
    expect(none.outcome).toBe('verified');
    expect(none.reductions).toEqual([]);
    expect(none.states).toBeGreaterThanOrEqual(all.states);
  });

  it('shows states, depth and rate on a terminal; off a terminal a heartbeat on stderr', async () => {
    const lines: string[] = [];
    const io: Io = { out: () => {}, err: () => {}, tty: true, progress: (l) => lines.push(l) };
    expect(await main(['explore', 'scopes/notifier-3x2.json'], io)).toBe(0);
    expect(
      lines.some((l) => /explore: [\d,]+ states · depth \d+ · [\d,]+ states\/s · [\d.]+ s/.test(l)),
    ).toBe(true);
    // Off a terminal: a line every 10 s (a clock that runs 4 s a look).
    const err: string[] = [];
    let t = 0;
    const off: Io = { out: () => {}, err: (l) => err.push(l), tty: false, now: () => (t += 4000) };
    expect(await main(['explore', 'scopes/notifier-3x2.json'], off)).toBe(0);
    expect(err.length).toBeGreaterThan(0);
    expect(err[0]).toMatch(/^explore: [\d,]+ states · (depth \d+|depth \d+ · breadth-first probe)/);
  });

  it('stops on Ctrl-C with the statistics so far, exit 130, and no trace written', async () => {
    const out = tempDir();
    const child = spawn(
      process.execPath,
      ['dist/src/cli/main.js', 'explore', 'scopes/notifier-6x3.json', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    // Ctrl-C once explore is well into its search (its handler is installed before it starts).
    void cpuUsed(child.pid ?? 0, 1500).then(() => child.kill('SIGINT'));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stdout).toContain('not complete: interrupted');
    expect(stdout).toMatch(/[\d,]+ states · [\d,]+ transitions · depth \d+/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

describe('devmem-model explore: bad input is one line naming the file and the field, exit 2', () => {
  it('no scope, a missing file, invalid JSON, a root that is not an object, a wrong format', async () => {
    expectUsage(await cliAsync('explore'), "missing required argument 'scope'");
    expectOneLine(await cliAsync('explore', 'no/such.json'), 'no/such.json: cannot read (ENOENT)');
    const bad = writeTemp('bad.json', '{ nope');
    expectOneLine(await cliAsync('explore', bad), bad, 'invalid JSON');
    const arr = writeTemp('arr.json', '[]');
    expectOneLine(await cliAsync('explore', arr), 'the root is not a JSON object');
    const f = scopeFile({ format: 'devmem-trace/1' });
    expectOneLine(await cliAsync('explore', f), f, 'format: expected "devmem-scope/1"');
  });

  it('a missing or mistyped field', async () => {
    const f = scopeFile({}, ['threads']);
    expectOneLine(await cliAsync('explore', f), f, 'threads');
    const g = scopeFile({
      threads: [{ name: 'w', ops: [{ op: 'cpu.read', args: { obj: 'a', page: 'x' } }] }],
    });
    expectOneLine(await cliAsync('explore', g), g, 'threads[0].ops[0].args.page');
  });

  it('unknown operations, importers, devices and objects, in threads or the setup', async () => {
    const t = (ops: unknown[]) => scopeFile({ threads: [{ name: 'w', ops }] });
    const op = t([{ op: 'imp.frobnicate', args: {} }]);
    expectOneLine(
      await cliAsync('explore', op),
      op,
      'threads[0].ops[0].op: unknown operation "imp.frobnicate"',
    );
    const imp = t([{ op: 'imp.map', args: { importer: 'nic9', obj: 'a' } }]);
    expectOneLine(
      await cliAsync('explore', imp),
      imp,
      'threads[0].ops[0].args.importer: "nic9" is not an importer in config',
    );
    const obj = t([{ op: 'cpu.read', args: { obj: 'zz', page: 0 } }]);
    expectOneLine(
      await cliAsync('explore', obj),
      obj,
      'threads[0].ops[0].args.obj: "zz" is not created',
    );
    const sched = t([{ op: 'finish', args: { proc: 'w' } }]);
    expectOneLine(await cliAsync('explore', sched), sched, 'threads[0].ops[0].op');
    const setup = scopeFile({
      setup: [{ op: 'imp.attach', args: { importer: 'odp0', obj: 'nope' } }],
    });
    expectOneLine(
      await cliAsync('explore', setup),
      setup,
      'setup[0].args.obj: "nope" is not created',
    );
    const setupImp = scopeFile({
      setup: [{ op: 'imp.attach', args: { importer: 'x', obj: 'a' } }],
    });
    expectOneLine(await cliAsync('explore', setupImp), setupImp, 'setup[0] args.importer');
  });

  it('bad symmetry, unknown faults, bad options', async () => {
    const sym = scopeFile({ symmetric: [['odp0', 'odp9']] });
    expectOneLine(await cliAsync('explore', sym), sym, 'symmetric[0]');
    expectUsage(await cliAsync('explore', FAULT_SCOPE, '--faults', 'nope'), 'Unknown fault "nope"');
    expectUsage(await cliAsync('explore', FAULT_SCOPE, '--max-states', '0'), '--max-states');
    expectUsage(await cliAsync('explore', FAULT_SCOPE, '--time', 'soon'), '--time');
    expectUsage(
      await cliAsync('explore', FAULT_SCOPE, '--reductions', 'magic'),
      'Unknown reduction "magic"',
    );
    expectUsage(await cliAsync('explore', FAULT_SCOPE, 'extra.json'), 'too many arguments');
    const faults = scopeFile({ faults: ['nope'] });
    expectOneLine(await cliAsync('explore', faults), faults, 'faults: unknown fault "nope"');
  });
});

describe('where nothing can move', () => {
  it('processes waiting for a user action the workload lacks are not a deadlock', async () => {
    // A compute job runs until imp.complete, which the workload never performs.
    const f = writeTemp(
      'job.json',
      JSON.stringify({
        format: 'devmem-scope/1',
        config: {
          systemFrames: 2,
          importers: [{ id: 'kfd0', kind: 'userptr', queues: 'compute' }],
        },
        setup: [
          { op: 'obj.create', args: { obj: 'b', kind: 'anon', pages: 1 } },
          { op: 'imp.attach', args: { importer: 'kfd0', obj: 'b' } },
        ],
        threads: [
          { name: 'job', ops: [{ op: 'imp.submit', args: { importer: 'kfd0', obj: 'b' } }] },
          { name: 'cpu', ops: [{ op: 'cpu.write', args: { obj: 'b', page: 0, value: 3 } }] },
        ],
      }),
    );
    const r = await cliAsync('explore', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain('verified: ');
    expect(r.out).toMatch(/[\d,]+ end states leave processes waiting for a user action/);
  });

  it('a process waiting on a lock nobody running will release is a deadlock', () => {
    // eagain-keeps-lock: a refused non-blockable invalidation keeps the notifier lock after its
    // process has ended (Kernel.NoLockOnReturn sees that at once); whatever waits for that lock
    // later waits for ever.
    const trace = validateTrace({
      format: 'devmem-trace/1',
      config: {
        systemFrames: 10,
        swapSlots: 6,
        devices: [{ id: 'gpu0', vramFrames: 4, memory: 'private' }],
        importers: [{ id: 'mirror0', kind: 'mirror', device: 'gpu0' }],
      },
      faults: ['eagain-keeps-lock'],
      steps: [
        { op: 'obj.create', args: { obj: 'a', kind: 'anon', pages: 3 } },
        { op: 'imp.attach', args: { importer: 'mirror0', obj: 'a' } },
        { op: 'imp.map', args: { importer: 'mirror0', obj: 'a' } },
        {
          op: 'imp.write',
          args: { importer: 'mirror0', obj: 'a', page: 0, value: 4 },
          start: 'p2',
        },
        { op: 'mm.reclaim', args: { obj: 'a', page: 0, blockable: false } },
        { op: 'mm.reclaim', args: { obj: 'a', page: 1 } },
      ],
    });
    const session = new Session(normalizeConfig(trace.config), trace.faults ?? []);
    const runner = new TraceRunner(session);
    trace.steps.forEach((s, i) => {
      runner.exec(s, i);
      if (i === 4) {
        expect(session.violations?.map((v) => v.invariant)).toEqual(['Kernel.NoLockOnReturn']);
      }
    });
    // Let the DMA write still in flight complete: then nothing can move.
    for (let p = session.w.procs.find((x) => x.label === 'p2'); p; ) {
      session.step(p);
      p = session.w.procs.find((x) => x.label === 'p2');
    }
    expect(session.w.procs.map((p) => p.label)).toEqual(['#5']);
    const d = deadlocked(session.w);
    expect(d).not.toBeNull();
    expect(d).toMatchObject({ label: '#5', op: 'mm.reclaim', why: 'lock' });
  });
});

/**
 * Resolves once process pid has used this much CPU time (Linux: /proc/pid/stat, in clock ticks
 * of 10 ms), or after that long on the clock elsewhere: a loaded machine may take seconds of
 * wall time to start node, but not more CPU time.
 */
async function cpuUsed(pid: number, ms: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      await sleep(ms);
      return;
    }
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (!Number.isFinite(ticks) || ticks * 10 >= ms || Date.now() - start > 50_000) return;
    await sleep(20);
  }
}
