/**
 * Validating a devmem-trace/1 file (zod): shape and types up front, so a bad file gets one clear
 * line naming the step and the field. Object names and page indexes are run-time matters
 * (ENOENT, EINVAL), not checked here.
 */
import { z } from 'zod';
import { OP_NAMES } from '../../src/exec/registry.js';
import { FAULT_NAMES } from '../../src/world/faults.js';
import { TRACE_FORMAT, type Trace } from './types.js';

const id = z.string().min(1);
const int = z.number().int();
const pos = z.number().int().positive();
// Values are checked when the operation runs (EINVAL); the file only needs the right types.
const domain = z.string();

export const configSchema = z.strictObject({
  systemFrames: pos,
  swapSlots: z.number().int().nonnegative().optional(),
  devices: z
    .array(
      z.strictObject({
        id,
        vramFrames: z.number().int().nonnegative(),
        memory: z.enum(['private', 'coherent']).optional(),
      }),
    )
    .optional(),
  importers: z
    .array(
      z.strictObject({
        id,
        kind: z.enum(['mirror', 'gup', 'dio', 'dmabuf', 'userptr']),
        device: id.optional(),
        dynamic: z.boolean().optional(),
        p2p: z.array(id).optional(),
        queues: z.enum(['gfx', 'compute']).optional(),
      }),
    )
    .optional(),
});

const imp = { importer: id, obj: id };
const dev = { device: id };

/** Argument shapes per operation (types only). */
export const ARGS: Readonly<Record<string, z.ZodType>> = {
  'obj.create': z.strictObject({
    obj: id,
    kind: z.string(),
    pages: int,
    device: id.optional(),
    domains: z.array(domain).optional(),
    placement: domain.optional(),
  }),
  'obj.destroy': z.strictObject({ obj: id }),
  'obj.share': z.strictObject({ obj: id }),
  'obj.unshare': z.strictObject({ obj: id }),
  'obj.migrate': z.strictObject({
    obj: id,
    to: domain,
    device: id.optional(),
    pages: z.array(int).optional(),
    select: z.array(z.string()).optional(),
    owner: id.optional(),
  }),
  'mm.reclaim': z.strictObject({ obj: id, page: int, blockable: z.boolean().optional() }),
  'cpu.read': z.strictObject({ obj: id, page: int }),
  'cpu.write': z.strictObject({ obj: id, page: int, value: int }),
  'imp.attach': z.strictObject(imp),
  'imp.map': z.strictObject(imp),
  'imp.unmap': z.strictObject(imp),
  'imp.detach': z.strictObject(imp),
  'imp.pin': z.strictObject({ ...imp, pages: z.array(int).optional() }),
  'imp.unpin': z.strictObject(imp),
  'imp.read': z.strictObject({ ...imp, page: int }),
  'imp.write': z.strictObject({ ...imp, page: int, value: int }),
  'imp.submit': z.strictObject(imp),
  'imp.complete': z.strictObject(imp),
  'dev.hang': z.strictObject(dev),
  'dev.reset': z.strictObject({ ...dev, vramLost: z.boolean().optional() }),
  'dev.suspend': z.strictObject(dev),
  'dev.resume': z.strictObject(dev),
  'dev.unplug': z.strictObject({ ...dev, surprise: z.boolean().optional() }),
  step: z.strictObject({ proc: id }),
  run: z.strictObject({ proc: id, until: id }),
  finish: z.strictObject({ proc: id }),
};

const stepSchema = z.strictObject({
  op: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
  start: id.optional(),
  expect: z.record(z.string(), z.unknown()).optional(),
  note: z.string().optional(),
});

const traceSchema = z.strictObject({
  format: z.string(),
  description: z.string().optional(),
  config: configSchema,
  faults: z.array(z.string()).optional(),
  steps: z.array(stepSchema),
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

/** Validate a parsed JSON value as a trace; throws TraceError with one line. */
export function validateTrace(raw: unknown, extraFaults: readonly string[] = []): Trace {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TraceError('the root is not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== TRACE_FORMAT)
    throw new TraceError(`format: expected "${TRACE_FORMAT}", got ${JSON.stringify(r.format)}`);
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
  if ((raw as Record<string, unknown>).systemFrames === undefined)
    throw new TraceError('systemFrames: missing');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new TraceError(firstIssue(parsed.error, 'config'));
  checkConfig(parsed.data);
  return parsed.data;
}
