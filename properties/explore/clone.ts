/**
 * Copying a state for exploration: a deep copy of plain data (objects, arrays, Map, Set, class
 * instances with own enumerable fields), much faster than structuredClone on the world's many
 * small objects. Generic on purpose: the world grows, and a field added to it is copied without
 * anyone touching this file. It does not keep aliasing (an object reachable by two paths becomes
 * two objects); the kernel keeps only read-only records under two paths (an in-flight DMA in
 * `w.dma` and in its process), and test/explore-state.test.ts runs generated interleavings
 * copied at every step to show that copying changes no outcome.
 */

export function deepClone<T>(v: T): T {
  return copy(v) as T;
}

function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const a = new Array<unknown>(n);
    for (let i = 0; i < n; i++) a[i] = copy(v[i]);
    return a;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Object.prototype || proto === null) {
    const o: Record<string, unknown> = proto === null ? Object.create(null) : {};
    const src = v as Record<string, unknown>;
    for (const k in src) o[k] = copy(src[k]);
    return o;
  }
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    for (const [k, x] of v) m.set(copy(k), copy(x));
    return m;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    for (const x of v) s.add(copy(x));
    return s;
  }
  // A class instance (the ghost): same prototype, fields copied.
  const o = Object.create(proto) as Record<string, unknown>;
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src)) o[k] = copy(src[k]);
  return o;
}
