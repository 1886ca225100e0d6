#!/usr/bin/env node
/**
 * `npm run flakes [-- N]`: run `npm test` N times in a row (default 20) and report every test that
 * failed at least once, with how often; exit 1 if there is one. Run it niced on a shared machine:
 * `nice -n 10 npm run flakes`. Each run's vitest JSON report goes to a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const runs = Number(process.argv[2] ?? process.env.FLAKES_RUNS ?? 20);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`flakes: the number of runs must be an integer ≥ 1, got "${process.argv[2]}"`);
  console.error('usage: npm run flakes [-- N]');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'devmem-flakes-'));
/** Test name → runs it failed in. */
const failed = new Map();
/** Test name → why it failed the first time. */
const reasons = new Map();
/** Runs that failed without a report (a build error, a crashed worker). */
const broken = [];
let tests = 0;
const started = Date.now();

try {
  for (let i = 1; i <= runs; i++) {
    const report = join(dir, `run-${i}.json`);
    const t0 = Date.now();
    const r = spawnSync('npm', ['test', '--', '--reporter=json', `--outputFile=${report}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let json;
    try {
      json = JSON.parse(readFileSync(report, 'utf8'));
    } catch {
      broken.push({
        run: i,
        code: r.status,
        err: (r.stderr ?? '').trim().split('\n').slice(-3).join(' | '),
      });
      console.log(`run ${i}/${runs}: exit ${r.status}, no report`);
      continue;
    }
    let failures = 0;
    tests = json.numTotalTests;
    for (const file of json.testResults) {
      const name = relative(process.cwd(), file.name);
      if (file.status === 'failed' && file.assertionResults.length === 0) {
        failures += 1;
        const key = `${name} (the file failed to run)`;
        failed.set(key, [...(failed.get(key) ?? []), i]);
      }
      for (const t of file.assertionResults) {
        if (t.status !== 'failed') continue;
        failures += 1;
        const key = `${name} > ${t.fullName}`;
        failed.set(key, [...(failed.get(key) ?? []), i]);
        // The first line of the first failure message: a timeout reads differently from an assertion.
        const why = String(t.failureMessages?.[0] ?? '').split('\n')[0];
        if (!reasons.has(key)) reasons.set(key, `${why.slice(0, 200)} (${t.duration ?? '?'} ms)`);
      }
    }
    console.log(
      `run ${i}/${runs}: exit ${r.status}, ${json.numPassedTests}/${json.numTotalTests} passed, ${failures} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const minutes = ((Date.now() - started) / 60000).toFixed(1);
if (failed.size === 0 && broken.length === 0) {
  console.log(
    `flakes: none — ${runs} runs of ${tests} tests, every test passed every time (${minutes} min)`,
  );
  process.exit(0);
}
console.log(`flakes: ${failed.size} tests failed at least once in ${runs} runs (${minutes} min):`);
for (const [name, which] of [...failed].sort((a, b) => b[1].length - a[1].length))
  console.log(
    `  ${which.length}/${runs}  ${name}  (runs ${which.join(', ')}): ${reasons.get(name) ?? ''}`,
  );
for (const b of broken) console.log(`  run ${b.run} produced no report (exit ${b.code}): ${b.err}`);
process.exit(1);
