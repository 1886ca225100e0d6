#!/usr/bin/env node
/**
 * `npm run mutation [-- [--shard i/n] [PATH…] [STRYKER OPTION…]]`: StrykerJS on the model.
 *
 * The files to mutate are every .ts file under src/ and properties/ (or under the PATHs given,
 * each a folder or a file of those), sorted. `--shard i/n` keeps the files whose path hashes to
 * slice i of n (FNV-1a of the path, so a file stays in its slice when others are added and the
 * slice's incremental results stay valid); the n slices are disjoint and cover every file.
 * Reports go to reports/mutation/<run>/ (mutation.json, mutation.html, incremental.json), <run>
 * being `shard-i-of-n`, or `all`, or the PATHs given; incremental mode reuses incremental.json
 * there, so a re-run tests only the mutants whose code or tests changed. Options that start with
 * `--` other than `--shard` go to Stryker as they are (`--concurrency 2`, `--force`,
 * `--logLevel debug`). Merge the reports with test/mutation/merge.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MUTATED = ['src', 'properties'];

function fail(message) {
  console.error(`mutation: ${message}`);
  process.exit(2);
}

/** FNV-1a, 32 bits, of a path with forward slashes. */
export function pathHash(path) {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(path, 'utf8')) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The slice (1-based) of n that a file belongs to. */
export function shardOf(path, n) {
  return (pathHash(path) % n) + 1;
}

function tsFiles(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) return tsFiles(p);
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
    })
    .sort();
}

export function parseArgs(argv) {
  let shard = null;
  const paths = [];
  const passThrough = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--shard' || a.startsWith('--shard=')) {
      const v = a === '--shard' ? argv[++i] : a.slice('--shard='.length);
      const m = /^([1-9]\d*)\/([1-9]\d*)$/.exec(v ?? '');
      if (!m) fail(`--shard takes i/n with 1 ≤ i ≤ n, got "${v ?? ''}"`);
      const index = Number(m[1]);
      const count = Number(m[2]);
      if (index > count) fail(`--shard takes i/n with 1 ≤ i ≤ n, got "${v}"`);
      shard = { index, count };
    } else if (a.startsWith('--')) {
      passThrough.push(a);
      const next = argv[i + 1];
      if (!a.includes('=') && next !== undefined && !next.startsWith('--') && !isPath(next)) {
        passThrough.push(next);
        i++;
      }
    } else {
      paths.push(a);
    }
  }
  return { shard, paths, passThrough };
}

function isPath(arg) {
  return MUTATED.some((d) => arg === d || arg.startsWith(`${d}/`));
}

export function selectFiles({ shard, paths }) {
  let files = MUTATED.flatMap(tsFiles);
  if (paths.length > 0) {
    const wanted = paths.map((p) => {
      const abs = resolve(p);
      if (!existsSync(abs)) fail(`no such file or folder: ${p}`);
      const rel = relative(ROOT, abs).split(sep).join('/');
      if (!isPath(rel)) fail(`${p} is not under ${MUTATED.join('/ or ')}/`);
      return { rel, dir: statSync(abs).isDirectory() };
    });
    files = files.filter((f) =>
      wanted.some((w) => (w.dir ? f.startsWith(`${w.rel}/`) : f === w.rel)),
    );
    if (files.length === 0) fail(`no .ts file to mutate under ${paths.join(' ')}`);
  }
  if (shard) files = files.filter((f) => shardOf(f, shard.count) === shard.index);
  return files;
}

function runName({ shard, paths }) {
  const where =
    paths.length > 0 ? paths.map((p) => p.replace(/[/\\.]+/g, '-').replace(/-+$/, '')) : ['all'];
  return [...where, ...(shard ? [`shard-${shard.index}-of-${shard.count}`] : [])].join('+');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.chdir(ROOT);
  const opts = parseArgs(process.argv.slice(2));
  const files = selectFiles(opts);
  const out = `reports/mutation/${runName(opts)}`;
  console.log(
    `mutation: ${files.length} files${opts.shard ? ` (slice ${opts.shard.index} of ${opts.shard.count})` : ''}, reports in ${out}/`,
  );
  if (files.length === 0) {
    console.log('mutation: this slice holds no file; nothing to do');
    process.exit(0);
  }
  const stryker = join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  const r = spawnSync(
    process.execPath,
    [
      stryker,
      'run',
      'test/mutation/stryker.config.mjs',
      '--mutate',
      files.join(','),
      ...opts.passThrough,
    ],
    { stdio: 'inherit', env: { ...process.env, DEVMEM_MUTATION_OUT: out } },
  );
  process.exit(r.status ?? 1);
}
