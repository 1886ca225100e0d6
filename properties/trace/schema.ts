/**
 * Validating a devmem-trace/1 file (zod): shape, types and size limits up front, so a bad file
 * gets one clear line naming the step and the field. Object names and page indexes are run-time
 * matters (ENOENT, EINVAL), not checked here.
 */
import { z } from 'zod';
import { OP_NAMES } from '../../src/exec/registry.js';
import { FAULT_NAMES } from '../../src/world/faults.js';
import { OP_FAMILIES } from '../gen/profile.js';
import { FORBIDDEN_KEYS, LIMITS, SEARCH_LIMITS } from './limits.js';
import { TRACE_FORMAT, type Trace } from './types.js';

const limit = (n: number) => `at most ${n.toLocaleString('en-US')} (a limit of ${TRACE_FORMAT})`;

/**
 * A name: not empty, bounded, and not a property every JavaScript object has (`constructor`,
 * `toString`, …): names are looked up in the kernel's tables.
 */
const id = z
  .string()
  .min(1)
  .max(LIMITS.idLength, limit(LIMITS.idLength))
  .refine((s) => !(s in Object.prototype), {
    error: (i) => `${JSON.stringify(i.input)} cannot be a name (every JavaScript object has it)`,
  });
/** A safe integer (zod's int: no 1e23, no 2^53). */
const int = z.number().int();
const upTo = (max: number) => z.number().int().nonnegative().max(max, limit(max));
const pageList = z.array(int).max(LIMITS.pages, limit(LIMITS.pages));
const text = z.string().max(LIMITS.textLength, limit(LIMITS.textLength));
// Values are checked when the operation runs (EINVAL); the file only needs the right types.
const domain = z.string().max(LIMITS.idLength, limit(LIMITS.idLength));

export const configSchema = z.strictObject({
  systemFrames: upTo(LIMITS.systemFrames).positive(),
  swapSlots: upTo(LIMITS.swapSlots).optional(),
  devices: z
    .array(
      z.strictObject({
        id,
        vramFrames: upTo(LIMITS.vramFrames),
        memory: z.enum(['private', 'coherent']).optional(),
        barPages: upTo(LIMITS.vramFrames).optional(),
        driverPolicy: z.enum(['p2p', 'system']).optional(),
        pinFlag: z.enum(['refuse', 'system']).optional(),
        revoke: z.enum(['eio', 'dummy']).optional(),
      }),
    )
    .max(LIMITS.devices, limit(LIMITS.devices))
    .optional(),
  importers: z
    .array(
      z.strictObject({
        id,
        kind: z.enum(['mirror', 'gup', 'dio', 'dmabuf', 'userptr', 'vfio']),
        device: id.optional(),
        dynamic: z.boolean().optional(),
        p2p: z.array(id).max(LIMITS.devices, limit(LIMITS.devices)).optional(),
        queues: z.enum(['gfx', 'compute']).optional(),
      }),
    )
    .max(LIMITS.importers, limit(LIMITS.importers))
    .optional(),
});

/** The address space an object is named in (default the first process, `p0`). */
const process = id.optional();
const obj = { obj: id, process };
const imp = { importer: id, ...obj };
const dev = { device: id };

/** Argument shapes per operation (types only). */
export const ARGS: Readonly<Record<string, z.ZodType>> = {
  'obj.create': z.strictObject({
    ...obj,
    kind: z.string(),
    pages: int,
    device: id.optional(),
    domains: z.array(domain).max(2, limit(2)).optional(),
    placement: domain.optional(),
    shared: z.boolean().optional(),
  }),
  'obj.destroy': z.strictObject(obj),
  'obj.share': z.strictObject(obj),
  'obj.unshare': z.strictObject(obj),
  'obj.migrate': z.strictObject({
    ...obj,
    to: domain,
    device: id.optional(),
    pages: pageList.optional(),
    select: z.array(domain).max(8, limit(8)).optional(),
    owner: id.optional(),
  }),
  'mm.reclaim': z.strictObject({ ...obj, page: int, blockable: z.boolean().optional() }),
  'proc.fork': z.strictObject({ process, child: id }),
  'vma.unmap': z.strictObject({ ...obj, pages: pageList.optional() }),
  'vma.protect': z.strictObject({ ...obj, pages: pageList.optional(), prot: domain }),
  'vma.advise': z.strictObject({ ...obj, pages: pageList.optional(), advice: domain }),
  'cpu.read': z.strictObject({ ...obj, page: int }),
  'cpu.write': z.strictObject({ ...obj, page: int, value: int }),
  'imp.attach': z.strictObject(imp),
  'imp.map': z.strictObject({ ...imp, write: z.boolean().optional() }),
  'imp.unmap': z.strictObject(imp),
  'imp.detach': z.strictObject(imp),
  'imp.pin': z.strictObject({ ...imp, pages: pageList.optional(), write: z.boolean().optional() }),
  'imp.unpin': z.strictObject(imp),
  'imp.read': z.strictObject({ ...imp, page: int }),
  'imp.write': z.strictObject({ ...imp, page: int, value: int }),
  'imp.submit': z.strictObject(imp),
  'imp.complete': z.strictObject(imp),
  'imp.exclusive': z.strictObject({ ...imp, page: int }),
  'dev.hang': z.strictObject(dev),
  'dev.reset': z.strictObject({ ...dev, vramLost: z.boolean().optional() }),
  'dev.suspend': z.strictObject(dev),
  'dev.resume': z.strictObject(dev),
  'dev.unplug': z.strictObject({ ...dev, surprise: z.boolean().optional() }),
  'obj.mmap': z.strictObject({ obj: id, offset: int.optional(), pages: int.optional() }),
  'obj.munmap': z.strictObject({ obj: id }),
  step: z.strictObject({ proc: id }),
  run: z.strictObject({ proc: id, until: id }),
  finish: z.strictObject({ proc: id }),
};

export const stepSchema = z.strictObject({
  op: z.string().max(LIMITS.idLength, limit(LIMITS.idLength)),
  args: z.record(z.string(), z.unknown()).optional(),
  start: id.optional(),
  expect: z.record(z.string(), z.unknown()).optional(),
  note: text.optional(),
});

export const traceSchema = z.strictObject({
  /** The JSON Schema an editor validates the file with (schema/devmem-trace-1.json). */
  $schema: z.string().optional(),
  format: z.string(),
  description: text.optional(),
  config: configSchema,
  faults: z.array(domain).max(LIMITS.faults, limit(LIMITS.faults)).optional(),
  steps: z.array(stepSchema).max(LIMITS.steps, limit(LIMITS.steps)),
  expect: z
    .strictObject({ violation: z.union([z.string(), z.array(z.string()), z.null()]).optional() })
    .optional(),
  found: z.unknown().optional(),
});

export class TraceError extends Error {}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path)
    out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function firstIssue(e: z.ZodError, prefix: string): string {
  const i = e.issues[0];
  if (!i) return `${prefix}: invalid`;
  const where = pathText(i.path);
  return `${prefix}${where ? ` ${where}` : ''}: ${i.message}`;
}

/** Check an operation name is known. */
export function knownOp(op: string): boolean {
  return (
    OP_NAMES.includes(op) ||
    op === 'step' ||
    op === 'run' ||
    op === 'finish' ||
    Object.hasOwn(ARGS, op)
  );
}

/** A value as an error message shows it: JSON, cut short. */
function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Checks no zod schema can make on parsed JSON, before anything else looks at it: no key that
 * reaches a prototype (JSON.parse keeps `__proto__` as an own key; zod drops it silently, and an
 * `expect` would then be met by less than it says), and no nesting beyond the limit (deeper
 * values overflow the stack of whatever walks them).
 */
export function checkDocument(raw: unknown): void {
  const stack: { v: unknown; path: PropertyKey[] }[] = [{ v: raw, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: PropertyKey[] };
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= LIMITS.nesting)
      throw new TraceError(
        `${pathText(path) || 'the root'}: nested deeper than ${LIMITS.nesting} levels (a limit of ${TRACE_FORMAT})`,
      );
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        stack.push({ v: x, path: [...path, i] });
      });
      continue;
    }
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN_KEYS.includes(k))
        throw new TraceError(`${pathText([...path, k])}: the key "${k}" is not allowed`);
      stack.push({ v: x, path: [...path, k] });
    }
  }
}

/** Validate a parsed JSON value as a trace; throws TraceError with one line. */
export function validateTrace(raw: unknown, extraFaults: readonly string[] = []): Trace {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TraceError('the root is not a JSON object');
  checkDocument(raw);
  const r = raw as Record<string, unknown>;
  if (r.format !== TRACE_FORMAT)
    throw new TraceError(`format: expected "${TRACE_FORMAT}", got ${brief(r.format)}`);
  if (r.config === undefined) throw new TraceError('config: missing');
  if (
    typeof r.config === 'object' &&
    r.config !== null &&
    (r.config as Record<string, unknown>).systemFrames === undefined
  ) {
    throw new TraceError('config.systemFrames: missing');
  }
  const parsed = traceSchema.safeParse(raw);
  if (!parsed.success) throw new TraceError(firstIssue(parsed.error, 'trace'));
  const t = parsed.data;
  checkConfig(t.config);
  for (const f of [...(t.faults ?? []), ...extraFaults]) {
    if (!FAULT_NAMES.includes(f))
      throw new TraceError(`faults: unknown fault "${f}" (see \`devmem-model faults\`)`);
  }
  const creates = t.steps.filter((s) => s.op === 'obj.create').length;
  if (creates > LIMITS.objects)
    throw new TraceError(`steps: ${creates} obj.create steps, ${limit(LIMITS.objects)}`);
  const devices = new Set((t.config.devices ?? []).map((d) => d.id));
  const importers = new Set((t.config.importers ?? []).map((i) => i.id));
  const labels = new Set<string>();
  t.steps.forEach((s, index) => {
    const at = `step ${index}`;
    if (!knownOp(s.op) || !ARGS[s.op])
      throw new TraceError(`${at} op: unknown operation "${s.op}"`);
    const schema = ARGS[s.op];
    const args = s.args ?? {};
    const a = schema?.safeParse(args);
    if (a && !a.success) throw new TraceError(firstIssue(a.error, `${at} args`));
    if (typeof args.importer === 'string' && !importers.has(args.importer)) {
      throw new TraceError(`${at} args.importer: "${args.importer}" is not an importer in config`);
    }
    for (const key of ['device', 'owner']) {
      const v = args[key];
      if (typeof v === 'string' && !devices.has(v))
        throw new TraceError(`${at} args.${key}: "${v}" is not a device in config`);
    }
    const scheduling = s.op === 'step' || s.op === 'run' || s.op === 'finish';
    if (scheduling) {
      if (s.start !== undefined)
        throw new TraceError(`${at} start: a scheduling op cannot start a process`);
      const proc = String(args.proc);
      if (!labels.has(proc) && !implicitLabel(proc, index, t.steps)) {
        throw new TraceError(`${at} args.proc: no earlier step defines label "${proc}"`);
      }
    }
    if (s.start !== undefined) {
      if (s.start.startsWith('#'))
        throw new TraceError(`${at} start: labels starting with # are reserved for blocked steps`);
      if (labels.has(s.start))
        throw new TraceError(`${at} start: label "${s.start}" is defined twice`);
      labels.add(s.start);
    }
  });
  return t as unknown as Trace;
}

/** `#n` names step n's process if step n (earlier) is an operation run without a label. */
function implicitLabel(
  proc: string,
  index: number,
  steps: readonly { op: string; start?: string | undefined }[],
): boolean {
  const m = /^#(\d+)$/.exec(proc);
  if (!m) return false;
  const n = Number(m[1]);
  const s = steps[n];
  return (
    n < index &&
    s !== undefined &&
    s.start === undefined &&
    s.op !== 'step' &&
    s.op !== 'run' &&
    s.op !== 'finish'
  );
}

/** Semantic checks of a configuration: unique ids, references to devices that exist. */
export function checkConfig(c: z.infer<typeof configSchema>): void {
  const frames = c.systemFrames + (c.devices ?? []).reduce((n, d) => n + d.vramFrames, 0);
  if (frames > LIMITS.totalFrames)
    throw new TraceError(
      `config: systemFrames plus every device's vramFrames is ${frames}, ${limit(LIMITS.totalFrames)}`,
    );
  const devices = new Set<string>();
  for (const [i, d] of (c.devices ?? []).entries()) {
    if (devices.has(d.id))
      throw new TraceError(`config.devices[${i}].id: "${d.id}" is defined twice`);
    devices.add(d.id);
  }
  const ids = new Set<string>();
  for (const [i, imp] of (c.importers ?? []).entries()) {
    const at = `config.importers[${i}]`;
    if (ids.has(imp.id)) throw new TraceError(`${at}.id: "${imp.id}" is defined twice`);
    ids.add(imp.id);
    if (imp.device !== undefined) {
      if (imp.kind !== 'mirror')
        throw new TraceError(`${at}.device: only a mirror runs on a device`);
      if (!devices.has(imp.device))
        throw new TraceError(`${at}.device: "${imp.device}" is not a device in config`);
    }
    if (imp.dynamic !== undefined && imp.kind !== 'dmabuf')
      throw new TraceError(`${at}.dynamic: only for dmabuf importers`);
    if (imp.queues !== undefined && imp.kind !== 'userptr')
      throw new TraceError(`${at}.queues: only for userptr importers`);
    for (const [k, p] of (imp.p2p ?? []).entries()) {
      if (!devices.has(p))
        throw new TraceError(`${at}.p2p[${k}]: "${p}" is not a device in config`);
    }
  }
}

/** Validate a --config file's content. */
export function validateConfig(raw: unknown): z.infer<typeof configSchema> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TraceError('the root is not a JSON object');
  checkDocument(raw);
  if ((raw as Record<string, unknown>).systemFrames === undefined)
    throw new TraceError('systemFrames: missing');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new TraceError(firstIssue(parsed.error, 'config'));
  checkConfig(parsed.data);
  return parsed.data;
}

/** The search a `found` block records, complete enough for `check --from` to run it again. */
const foundSchema = z.looseObject({
  version: z.string().max(LIMITS.idLength),
  seed: upTo(SEARCH_LIMITS.seed),
  runs: upTo(SEARCH_LIMITS.runs).positive(),
  maxSteps: upTo(LIMITS.steps).positive(),
  deviceEvents: upTo(SEARCH_LIMITS.deviceEvents),
  faults: z.array(domain).max(LIMITS.faults, limit(LIMITS.faults)),
  focus: z.array(z.enum(OP_FAMILIES)).optional(),
  config: configSchema,
  seeds: upTo(SEARCH_LIMITS.seeds).positive().optional(),
  shard: z
    .string()
    .regex(/^[1-9]\d{0,5}\/[1-9]\d{0,5}$/)
    .optional(),
  workers: upTo(SEARCH_LIMITS.workers).positive().optional(),
});

export type FoundSearch = z.infer<typeof foundSchema>;

/** Validate a counterexample's found block as a search to re-run; throws TraceError. */
export function validateFound(raw: unknown): FoundSearch {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TraceError('found: not an object');
  const r = raw as Record<string, unknown>;
  if (r.version === undefined) {
    const faults =
      Array.isArray(r.faults) && r.faults.length > 0 ? ` --faults ${r.faults.join(',')}` : '';
    throw new TraceError(
      `found: written by a devmem-model that did not record its search; search again with check --seed ${brief(r.seed)}${faults} and the options it ran with`,
    );
  }
  const parsed = foundSchema.safeParse(raw);
  if (!parsed.success) throw new TraceError(firstIssue(parsed.error, 'found'));
  checkConfig(parsed.data.config);
  for (const f of parsed.data.faults) {
    if (!FAULT_NAMES.includes(f))
      throw new TraceError(`found.faults: unknown fault "${f}" (see \`devmem-model faults\`)`);
  }
  return parsed.data;
}
