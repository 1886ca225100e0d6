/**
 * Where `check` puts a counterexample. Names cannot collide between different searches: the
 * invariant, the fault set, the seed and a short hash of every other option and the
 * configuration. An existing file is never overwritten: the same search finds the same trace (the
 * file is reused), anything else gets a numbered suffix. The file appears whole or not at all
 * (written to a temporary file, then linked into place).
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ConfigInput } from '../world/config.js';
import { UsageError } from './io.js';

export interface SearchKey {
  readonly invariant: string;
  readonly faults: readonly string[];
  readonly focus: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly deviceEvents: number;
  readonly config: ConfigInput;
  /** Seeds, lanes and shard of the search (each left out of the hash at its default of 1). */
  readonly seeds?: number;
  readonly workers?: number;
  readonly shard?: string | null;
}

/** `<invariant>-<faults or none>-<seed>-<hash of the rest>`, without `.json`. */
export function counterexampleName(k: SearchKey): string {
  // Without focus (the default), the hash is what it was before --focus existed.
  const rest = JSON.stringify([
    k.runs,
    k.maxSteps,
    k.deviceEvents,
    k.config,
    ...(k.focus.length > 0 ? [k.focus] : []),
    ...((k.seeds ?? 1) > 1 ? [{ seeds: k.seeds }] : []),
    ...((k.workers ?? 1) > 1 ? [{ workers: k.workers }] : []),
    ...(k.shard ? [{ shard: k.shard }] : []),
  ]);
  const hash = createHash('sha256').update(rest).digest('hex').slice(0, 8);
  const faults =
    k.faults.length === 0
      ? 'none'
      : k.faults.length <= 3
        ? k.faults.join('+')
        : `${k.faults.length}-faults`;
  return `${k.invariant}-${faults}-${k.seed}-${hash}`;
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EIO';
}

/**
 * Fail now, not after the search, if `dir` cannot receive a file: it (or, if it does not exist
 * yet, its nearest existing ancestor) must be a writable directory. Creates nothing.
 */
export function checkOutDir(dir: string): void {
  const target = resolve(dir);
  let p = target;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      const code = errno(e);
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) {
        p = dirname(p);
        continue;
      }
      throw new UsageError(`--out ${dir}: cannot use it (${code})`);
    }
    if (!isDir)
      throw new UsageError(
        `--out ${dir}: ${p === target ? 'not a directory' : `${p} is not a directory`}`,
      );
    try {
      accessSync(p, constants.W_OK | constants.X_OK);
    } catch {
      throw new UsageError(`--out ${dir}: ${p} is not writable`);
    }
    return;
  }
}

/** Put `text` at `<dir>/<name>.json` (or `<name>-2.json`, …); returns the path. */
export function writeCounterexample(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, text, { flag: 'wx' });
  try {
    for (let n = 1; n <= 1000; n++) {
      const file = join(dir, n === 1 ? `${name}.json` : `${name}-${n}.json`);
      if (place(tmp, file)) return file;
      if (readFileSync(file, 'utf8') === text) return file;
    }
    throw new Error(`${dir}: 1000 different counterexamples named ${name}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Make `tmp` appear as `file` unless `file` exists (false then). */
function place(tmp: string, file: string): boolean {
  try {
    linkSync(tmp, file); // atomic, and fails if file exists: two concurrent checks never clash
    return true;
  } catch (e) {
    const code = errno(e);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
  }
  // A file system without hard links: rename, after a check that is not atomic with it.
  try {
    statSync(file);
    return false;
  } catch {
    renameSync(tmp, file);
    return true;
  }
}
