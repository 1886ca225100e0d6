/**
 * Which files a mutation run mutates (pure: no file system, no process). test/mutation/run.mjs
 * lists the candidates and calls these; test/mutation.test.ts checks them.
 */

/** The folders whose .ts files are mutated. */
export const MUTATED = ['src', 'properties'];

/**
 * The files in n slices of about the same size: largest first, each to the slice with the fewest
 * bytes so far (ties: the lower slice, then by path), so that no slice holds more than the
 * smallest one plus one file. Files are `{ path, size }`; the order they come in does not matter.
 * A file can change slice when others change size: slices are made for wall time, and each
 * slice starts from the merged report of all of them, so no result is lost when a file moves.
 */
export function slices(files, n) {
  const order = [...files].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const out = Array.from({ length: n }, () => ({ files: [], bytes: 0 }));
  for (const f of order) {
    let min = 0;
    for (let i = 1; i < n; i++) if ((out[i]?.bytes ?? 0) < (out[min]?.bytes ?? 0)) min = i;
    const s = out[min];
    s.files.push(f.path);
    s.bytes += f.size;
  }
  return out.map((s) => s.files.sort());
}

/** `i/n` with 1 ≤ i ≤ n ≤ 1000; anything else is an Error whose message is one line. */
export function parseShard(text) {
  const m = /^([1-9]\d{0,3})\/([1-9]\d{0,3})$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index > count || count > 1000) {
    throw new Error(`--shard takes i/n with 1 ≤ i ≤ n ≤ 1000, got "${text}"`);
  }
  return { index, count };
}

/** Whether a path (relative, with forward slashes) is under one of the mutated folders. */
export function isMutable(path) {
  return MUTATED.some((d) => path === d || path.startsWith(`${d}/`));
}

/**
 * The files to mutate (sorted paths): those of `all` (`{ path, size }`, paths relative with
 * forward slashes) under the wanted paths (each a folder or a file; none: all of them), then
 * those of the slice.
 */
export function selectFiles(all, { paths = [], shard = null } = {}) {
  let files = all;
  if (paths.length > 0) {
    files = files.filter((f) => paths.some((p) => f.path === p || f.path.startsWith(`${p}/`)));
  }
  if (shard) return slices(files, shard.count)[shard.index - 1] ?? [];
  return files.map((f) => f.path).sort();
}

/** The report folder's name: the paths (or `all`), and the slice. */
export function runName({ paths = [], shard = null } = {}) {
  const where = paths.length > 0 ? paths.map((p) => p.replace(/[/.:]+/g, '-')) : ['all'];
  return [...where, ...(shard ? [`shard-${shard.index}-of-${shard.count}`] : [])].join('+');
}
