#!/usr/bin/env node
/**
 * `npm run mutation:merge [-- REPORT…]`: merge mutation reports (the mutation.json files of
 * `npm run mutation` runs: every reports/mutation/<run>/mutation.json by default) into
 * reports/mutation/merged/ — mutation.json (also the starting point of later incremental runs),
 * mutation.html, scores.md — and print the score of every folder and file as a Markdown table.
 *
 * Each report numbers its tests from 0, so the tests are renumbered by test file and name. A
 * file in several reports (oldest first, by modification time) is merged mutant by mutant while
 * its source is the same, the newer result winning; a newer report of changed source replaces the
 * older results. Either is noted. Exit 2 with one line when a report is missing or is not a
 * mutation report.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { calculateMutationTestMetrics } from 'mutation-testing-metrics';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = 'reports/mutation/merged';

/**
 * Merge reports, oldest first (see above). Returns the merged report and a note for every file
 * that was in more than one.
 */
export function mergeReports(named) {
  const files = {};
  const from = {};
  const testFiles = {};
  const ids = new Map();
  const notes = [];
  let last = null;
  for (const { name, report } of named) {
    if (typeof report !== 'object' || report === null || typeof report.files !== 'object') {
      throw new Error(`${name} is not a mutation report (no "files")`);
    }
    last = report;
    const remap = new Map();
    for (const [testFile, tf] of Object.entries(report.testFiles ?? {})) {
      testFiles[testFile] ??= { ...tf, tests: [] };
      const merged = testFiles[testFile];
      for (const t of tf.tests ?? []) {
        const key = `${testFile}\u0000${t.name}`;
        let id = ids.get(key);
        if (id === undefined) {
          id = String(ids.size);
          ids.set(key, id);
          merged.tests.push({ ...t, id });
        }
        remap.set(t.id, id);
      }
    }
    const map = (list) => list?.map((id) => remap.get(id) ?? id);
    for (const [path, file] of Object.entries(report.files)) {
      const mutants = file.mutants.map((m) => ({
        ...m,
        ...(m.killedBy ? { killedBy: map(m.killedBy) } : {}),
        ...(m.coveredBy ? { coveredBy: map(m.coveredBy) } : {}),
      }));
      const before = files[path];
      if (before && before.source === file.source) {
        // The same code (a run of some lines, then of the whole file): mutant by mutant.
        const byKey = new Map(before.mutants.map((m) => [mutantKey(m), m]));
        for (const m of mutants) byKey.set(mutantKey(m), m);
        files[path] = { ...file, mutants: [...byKey.values()] };
        notes.push(`${path}: results of ${name} update ${from[path]}'s mutant by mutant`);
      } else {
        if (before)
          notes.push(`${path}: changed since ${from[path]}; the results of ${name} replace them`);
        files[path] = { ...file, mutants };
      }
      from[path] = name;
    }
  }
  if (last === null) throw new Error('no report to merge');
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    report: {
      schemaVersion: last.schemaVersion,
      thresholds: last.thresholds,
      projectRoot: last.projectRoot,
      framework: last.framework,
      files: sorted(files),
      testFiles: sorted(testFiles),
    },
    notes,
  };
}

/** A mutant by where it is and what it does (ids differ from one run to the next). */
function mutantKey(m) {
  const { start, end } = m.location;
  return `${start.line}:${start.column}-${end.line}:${end.column} ${m.mutatorName} ${m.replacement ?? ''}`;
}

const pct = (x) => (Number.isNaN(x) ? '–' : `${x.toFixed(1)}%`);

/** The score of every folder and file, as Markdown rows (folders first, then their files). */
export function scoreTable(report) {
  const rows = [
    '| folder or file | mutants | killed | timeout | survived | no coverage | errors | score | of covered |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const visit = (node, path) => {
    const m = node.metrics;
    const label = node.file ? path : `**${path || 'all'}/**`;
    rows.push(
      `| ${label} | ${m.totalMutants - m.ignored} | ${m.killed} | ${m.timeout} | ${m.survived} | ${m.noCoverage} | ${m.runtimeErrors + m.compileErrors} | ${pct(m.mutationScore)} | ${pct(m.mutationScoreBasedOnCoveredCode)} |`,
    );
    for (const c of node.childResults) visit(c, path ? `${path}/${c.name}` : c.name);
  };
  // The metrics name files from the folder they all share (e.g. `a.ts` for src/kernel/a.ts alone).
  visit(calculateMutationTestMetrics(report).systemUnderTestMetrics, commonDir(report));
  return rows.join('\n');
}

function commonDir(report) {
  const parts = Object.keys(report.files).map((p) => p.split('/').slice(0, -1));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join('/');
}

function html(report) {
  const require = createRequire(import.meta.url);
  const script = readFileSync(
    require.resolve('mutation-testing-elements/dist/mutation-test-elements.js'),
    'utf8',
  );
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>devmem-model mutation report</title><script>${script}</script></head>
<body><mutation-test-report-app titlePostfix="devmem-model"></mutation-test-report-app>
<script>document.querySelector('mutation-test-report-app').report = ${json};</script></body></html>
`;
}

function defaultInputs() {
  const dir = join(ROOT, 'reports/mutation');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => d !== 'merged' && existsSync(join(dir, d, 'mutation.json')))
    .map((d) => `reports/mutation/${d}/mutation.json`);
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const args = process.argv.slice(2);
  const bad = args.find((a) => a.startsWith('-'));
  if (bad) {
    console.error(
      `mutation:merge: unknown option ${bad} (usage: npm run mutation:merge [-- REPORT…])`,
    );
    process.exit(2);
  }
  process.chdir(ROOT);
  const inputs = args.length > 0 ? args : defaultInputs();
  try {
    if (inputs.length === 0) throw new Error('no report in reports/mutation/*/mutation.json');
    const named = inputs
      .map((name) => {
        if (!existsSync(name)) throw new Error(`no such report: ${name}`);
        let report;
        try {
          report = JSON.parse(readFileSync(name, 'utf8'));
        } catch {
          throw new Error(`${name} is not JSON`);
        }
        return { name, report, mtime: statSync(name).mtimeMs };
      })
      .sort((a, b) => a.mtime - b.mtime);
    const { report, notes } = mergeReports(named);
    const table = scoreTable(report);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(`${OUT}/mutation.json`, `${JSON.stringify(report)}\n`);
    writeFileSync(`${OUT}/mutation.html`, html(report));
    writeFileSync(`${OUT}/scores.md`, `${table}\n`);
    for (const n of notes) console.log(`note: ${n}`);
    console.log(table);
    console.log(
      `\nmerged ${named.length} report(s) into ${OUT}/ (mutation.json, mutation.html, scores.md)`,
    );
  } catch (e) {
    console.error(`mutation:merge: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}
