#!/usr/bin/env node
/**
 * `npm run mutation [-- [PATH…] [--shard i/n] [--concurrency N] [--force] [--list]]`: StrykerJS
 * on the model (docs/mutation.md).
 *
 * The files to mutate are every .ts file under src/ and properties/ (or under the PATHs given,
 * each a folder or a file there; `FILE:a-b` mutates only lines a to b of a file). `--shard i/n` keeps slice i of n: the slices are disjoint, cover
 * every file and hold about as many bytes each (test/mutation/select.mjs). Reports go to
 * reports/mutation/<run>/ (mutation.json, mutation.html, incremental.json), <run> naming the
 * PATHs (or `all`) and the slice. Incremental: a run tests only the mutants whose code or
 * covering tests changed since the results in its incremental.json, or, for a run with none yet,
 * since the merged report (reports/mutation/merged/mutation.json, `npm run mutation:merge`), so a
 * file that moved to another slice keeps its results. `--force` tests every mutant again;
 * `--list` prints the files and stops.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { isMutable, MUTATED, parseShard, runName, selectFiles } from './select.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function tsFiles(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return tsFiles(p);
    if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) return [];
    return [{ path: p, size: statSync(join(ROOT, p)).size }];
  });
}

function asShard(text) {
  try {
    return parseShard(text);
  } catch {
    throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n ≤ 1000');
  }
}

function asConcurrency(text) {
  if (!/^[1-9]\d?$/.test(text)) throw new InvalidArgumentError('expected an integer from 1 to 99');
  return Number(text);
}

/** Line ranges asked for (`FILE:a-b`), by file. */
const ranges = new Map();

/** A PATH argument as a path relative to the root with forward slashes, checked. */
function wanted(arg) {
  const m = /^(.*\.ts):([1-9]\d*)-([1-9]\d*)$/.exec(arg);
  const p = m?.[1] ?? arg;
  if (m && Number(m[2]) > Number(m[3])) throw new Error(`${arg}: the lines run backwards`);
  const abs = resolve(p);
  const rel = relative(ROOT, abs).split(sep).join('/');
  if (!isMutable(rel)) throw new Error(`${p} is not under ${MUTATED.join('/ or ')}/`);
  if (!existsSync(abs)) throw new Error(`no such file or folder: ${p}`);
  if (!statSync(abs).isDirectory() && !rel.endsWith('.ts'))
    throw new Error(`${p} is not a .ts file`);
  if (m) {
    if (statSync(abs).isDirectory()) throw new Error(`${arg}: lines are for a file, not a folder`);
    ranges.set(rel, [...(ranges.get(rel) ?? []), `${m[2]}-${m[3]}`]);
  }
  return rel;
}

const program = new Command('npm run mutation --')
  .description('StrykerJS on src/ and properties/ (or the PATHs given)')
  .argument('[path...]', 'folders or .ts files under src/ or properties/')
  .option('--shard <i/n>', 'mutate only slice i of n of the files', asShard)
  .option('--concurrency <n>', 'test runner processes', asConcurrency, 1)
  .option('--force', 'ignore the incremental results: test every mutant again')
  .option('--list', 'print the files to mutate and stop')
  .showHelpAfterError(false)
  .configureOutput({ outputError: (s, write) => write(`mutation: ${s.replace(/^error: /, '')}`) })
  .exitOverride();

let opts;
let paths;
try {
  program.parse();
  opts = program.opts();
  paths = program.args.map(wanted);
} catch (e) {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
  if (!e.code) console.error(`mutation: ${e.message}`);
  process.exit(2);
}

process.chdir(ROOT);
const sel = { paths, shard: opts.shard ?? null };
const files = selectFiles(MUTATED.flatMap(tsFiles), sel);
if (opts.list) {
  for (const f of files) console.log(f);
  process.exit(0);
}
if (files.length === 0) {
  if (sel.shard) {
    console.log(`mutation: slice ${sel.shard.index} of ${sel.shard.count} holds no file`);
    process.exit(0);
  }
  console.error(`mutation: no .ts file to mutate under ${paths.join(' ')}`);
  process.exit(2);
}
const out = `reports/mutation/${runName({ ...sel, paths: program.args })}`;
const merged = 'reports/mutation/merged/mutation.json';
if (!opts.force && !existsSync(`${out}/incremental.json`) && existsSync(merged)) {
  mkdirSync(out, { recursive: true });
  copyFileSync(merged, `${out}/incremental.json`);
  console.log(`mutation: starting from the results in ${merged}`);
}
console.log(
  `mutation: ${files.length} file(s)${sel.shard ? ` (slice ${sel.shard.index} of ${sel.shard.count})` : ''}, reports in ${out}/`,
);
const stryker = join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const r = spawnSync(
  process.execPath,
  [
    stryker,
    'run',
    'test/mutation/stryker.config.mjs',
    '--mutate',
    files.flatMap((f) => ranges.get(f)?.map((r) => `${f}:${r}`) ?? [f]).join(','),
    '--concurrency',
    String(opts.concurrency),
    ...(opts.force ? ['--force'] : []),
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      DEVMEM_MUTATION_OUT: out,
      // The reductions' test (test/mutation/vitest.config.ts) only where it can kill something.
      DEVMEM_MUTATION_EXPLORER: files.some((f) => f.startsWith('properties/explore/')) ? '1' : '0',
    },
  },
);
process.exit(r.status ?? 1);
