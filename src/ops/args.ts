/** Reading an op's arguments: a missing or mistyped argument is EINVAL. */
import { importerConfig } from '../kernel/objects.js';
import type { ImporterConfig } from '../world/config.js';
import { type Errno, isErrnoCode } from '../world/errno.js';
import type { DeviceState, ImporterObj, Obj, World } from '../world/types.js';

export type Args = Readonly<Record<string, unknown>>;

export function str(a: Args, k: string): string | null {
  const v = a[k];
  return typeof v === 'string' ? v : null;
}

export function int(a: Args, k: string): number | null {
  const v = a[k];
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

export function optInt(a: Args, k: string, dflt: number): number | null {
  return a[k] === undefined ? dflt : int(a, k);
}

export function optBool(a: Args, k: string, dflt: boolean): boolean | null {
  const v = a[k];
  if (v === undefined) return dflt;
  return typeof v === 'boolean' ? v : null;
}

export function optIntList(a: Args, k: string): number[] | null | undefined {
  const v = a[k];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x)))
    return null;
  return [...(v as number[])];
}

/** The process operations act in when they name none: the first address space. */
export const FIRST_PROCESS = 'p0';

/** The process an operation names (`process`, default the first): ESRCH if none runs. */
export function processArg(w: World, a: Args): string | Errno {
  if (a.process === undefined) return FIRST_PROCESS;
  const p = str(a, 'process');
  if (p === null) return 'EINVAL';
  return w.processes[p]?.ready ? p : 'ESRCH';
}

/** An object's name in the world: the first process's objects by their own names, others' as `process/name`. */
export function qualified(process: string, name: string): string {
  return process === FIRST_PROCESS ? name : `${process}/${name}`;
}

/** The world's name of the object an operation names (in its process), or an errno. */
export function objName(w: World, a: Args): string | Errno {
  const name = str(a, 'obj');
  if (name === null || name.includes('/')) return 'EINVAL';
  if (a.process === undefined) return name;
  const process = processArg(w, a);
  if (isErrno(process)) return process;
  return qualified(process, name);
}

/** An object by name that has not been destroyed. */
export function liveObj(w: World, a: Args): Obj | Errno {
  const name = objName(w, a);
  if (isErrno(name)) return name;
  const o = w.objects[name];
  if (!o || o.destroyed) return 'ENOENT';
  return o;
}

/** A device by name that is still plugged in (a missing or unknown name is ENODEV too). */
export function liveDevice(w: World, a: Args): DeviceState | Errno {
  const id = str(a, 'device');
  const d = id === null ? undefined : w.devices[id];
  return d && !d.gone ? d : 'ENODEV';
}

/** An object by name, destroyed or not (pins and attachments keep working under it). */
export function anyObj(w: World, a: Args): Obj | Errno {
  const name = objName(w, a);
  if (isErrno(name)) return name;
  return w.objects[name] ?? 'ENOENT';
}

/**
 * An object an importer already uses: after obj.destroy the name keeps working only for the
 * importers whose pin or attachment holds the object; for anyone else it is gone (ENOENT).
 */
export function usedObj(w: World, a: Args, importer: string): Obj | Errno {
  const o = anyObj(w, a);
  if (isErrno(o) || !o.destroyed) return o;
  const io = w.importers[importer]?.objs[o.name];
  return io && (io.sub || io.att || io.pin || io.vma) ? o : 'ENOENT';
}

export function importerCfg(w: World, a: Args): ImporterConfig | Errno {
  const id = str(a, 'importer');
  if (id === null) return 'EINVAL';
  return importerConfig(w, id) ?? 'EINVAL';
}

export function isErrno<T>(x: T | Errno): x is Errno {
  return isErrnoCode(x);
}

/** The importer's per-object state, created on first use. */
export function importerObj(w: World, importer: string, o: Obj): ImporterObj {
  const imp = w.importers[importer];
  if (!imp) throw new Error(`no importer ${importer}`);
  let io = imp.objs[o.name];
  if (!io) {
    io = {
      obj: o.name,
      sub: null,
      att: null,
      pin: null,
      pt: new Array(o.pages).fill(null),
      mapped: false,
      job: null,
    };
    imp.objs[o.name] = io;
  }
  return io;
}

export function peekImporterObj(w: World, importer: string, obj: string): ImporterObj | undefined {
  return w.importers[importer]?.objs[obj];
}

/** Drop the importer's per-object state once nothing is left in it. */
export function tidyImporterObj(w: World, importer: string, obj: string): void {
  const imp = w.importers[importer];
  const io = imp?.objs[obj];
  if (!imp || !io) return;
  if (io.sub || io.att || io.pin || io.job || io.mapped || io.vma || io.pt.some((e) => e !== null))
    return;
  delete imp.objs[obj];
}

/** The `pages` an operation names (all of the object's when it names none): distinct, in range. */
export function pageList(a: Args, npages: number): number[] | 'EINVAL' {
  const list = optIntList(a, 'pages');
  if (list === null) return 'EINVAL';
  const pages = list ?? Array.from({ length: npages }, (_, i) => i);
  if (pages.length === 0 || pages.some((i) => i < 0 || i >= npages)) return 'EINVAL';
  return new Set(pages).size === pages.length ? pages : 'EINVAL';
}

/** Whether a page index is inside the object. */
export function pageIn(o: Obj, page: number | null): page is number {
  return page !== null && page >= 0 && page < o.pages;
}
