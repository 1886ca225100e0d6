/**
 * A scope (`devmem-scope/1`, `scopes/*.json`): a configuration, a set-up prefix run once, and a
 * bounded workload of threads whose operations explore interleaves — every order of starting
 * them and every schedule of their atomic steps. A thread's operations start in program order,
 * each once the one before has completed. Validated with zod like trace files: a bad scope gets
 * one line naming the file and the field.
 */
import { z } from 'zod';
import { type Config, type ConfigInput, normalizeConfig } from '../../src/world/config.js';
import { FAULT_NAMES } from '../../src/world/faults.js';
import { LIMITS } from '../trace/limits.js';
import { InputError, readJson } from '../trace/load.js';
import { ARGS, checkDocument, configSchema, TraceError, validateTrace } from '../trace/schema.js';
import type { TraceStep } from '../trace/types.js';
import { TRACE_FORMAT } from '../trace/types.js';

export const SCOPE_FORMAT = 'devmem-scope/1';

/** Threads of a scope at most (each adds a start to every state's moves). */
const SCOPE_THREADS = 64;

/** Pids of workload processes and uids of objects start here (symmetry recognises them). */
export const PID_BASE = 1_000_000;
export const UID_BASE = 2_000_000;
/**
 * Ids minted from the world's nextId (invalidations, DMA, engine jobs, attach orders) start here
 * in explore, above every pid and uid: the `ids` reduction finds them by their range.
 */
export const ID_BASE = 3_000_000;

export interface ScopeOp {
  readonly op: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export interface Thread {
  readonly name: string;
  readonly ops: readonly ScopeOp[];
}

export interface Scope {
  readonly description: string | null;
  readonly config: Config;
  readonly configInput: ConfigInput;
  readonly faults: readonly string[];
  readonly setup: readonly TraceStep[];
  readonly threads: readonly Thread[];
  /** Groups of interchangeable importer ids or object names. */
  readonly symmetric: readonly (readonly string[])[];
}

const opSchema = z.strictObject({
  op: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
  times: z.number().int().min(1).max(16).optional(),
});

const scopeSchema = z.strictObject({
  format: z.string(),
  description: z.string().optional(),
  config: configSchema,
  faults: z.array(z.string()).optional(),
  setup: z.array(z.unknown()).optional(),
  threads: z
    .array(
      z.strictObject({
        name: z
          .string()
          .min(1)
          .max(LIMITS.idLength)
          .regex(/^[A-Za-z][\w.-]*$/, 'a thread name is a letter then letters, digits, . _ -'),
        ops: z.array(opSchema).min(1).max(LIMITS.steps),
      }),
    )
    .min(1)
    .max(SCOPE_THREADS),
  symmetric: z.array(z.array(z.string().min(1)).min(2)).optional(),
});

export class ScopeError extends Error {}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path)
    out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function issue(e: z.ZodError, prefix = ''): string {
  const i = e.issues[0];
  if (!i) return 'invalid';
  const where = prefix + pathText(i.path);
  return `${where ? `${where}: ` : ''}${i.message}`;
}

const SCHEDULING = new Set(['step', 'run', 'finish']);

/** Validate a parsed scope; throws ScopeError with one line naming the field. */
export function validateScope(raw: unknown): Scope {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ScopeError('the root is not a JSON object');
  try {
    checkDocument(raw);
  } catch (e) {
    if (e instanceof TraceError)
      throw new ScopeError(e.message.replace(TRACE_FORMAT, SCOPE_FORMAT));
    throw e;
  }
  const r = raw as Record<string, unknown>;
  if (r.format !== SCOPE_FORMAT)
    throw new ScopeError(`format: expected "${SCOPE_FORMAT}", got ${JSON.stringify(r.format)}`);
  const parsed = scopeSchema.safeParse(raw);
  if (!parsed.success) throw new ScopeError(issue(parsed.error));
  const s = parsed.data;
  // The set-up prefix is a trace's steps: validate it as one (config, importers, labels).
  let setup: readonly TraceStep[];
  try {
    setup = validateTrace({
      format: TRACE_FORMAT,
      config: s.config,
      faults: s.faults ?? [],
      steps: s.setup ?? [],
    }).steps;
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    throw new ScopeError(
      e.message
        .replace(/^step (\d+)/, 'setup[$1]')
        .replace(/^trace steps\[(\d+)\]/, 'setup[$1]')
        .replace(/^trace /, ''),
    );
  }
  const config = normalizeConfig(s.config);
  const devices = new Set(config.devices.map((d) => d.id));
  const importers = new Set(config.importers.map((i) => i.id));
  const objects = new Set<string>();
  const labels = new Set<string>();
  for (const st of setup) {
    if (st.op === 'obj.create' && typeof st.args.obj === 'string') objects.add(st.args.obj);
    if (st.start !== undefined) labels.add(st.start);
  }
  const threads: Thread[] = [];
  const names = new Set<string>();
  s.threads.forEach((t, ti) => {
    if (names.has(t.name))
      throw new ScopeError(`threads[${ti}].name: "${t.name}" is defined twice`);
    if (labels.has(t.name))
      throw new ScopeError(`threads[${ti}].name: "${t.name}" is a label the setup defines`);
    names.add(t.name);
    const ops: ScopeOp[] = [];
    t.ops.forEach((o, oi) => {
      const at = `threads[${ti}].ops[${oi}]`;
      if (SCHEDULING.has(o.op))
        throw new ScopeError(`${at}.op: "${o.op}" schedules a process; threads hold operations`);
      const schema = ARGS[o.op];
      if (!schema) throw new ScopeError(`${at}.op: unknown operation "${o.op}"`);
      const args = o.args ?? {};
      const a = schema.safeParse(args);
      if (!a.success) throw new ScopeError(issue(a.error, `${at}.args.`));
      if (typeof args.importer === 'string' && !importers.has(args.importer))
        throw new ScopeError(
          `${at}.args.importer: "${args.importer}" is not an importer in config`,
        );
      if (typeof args.device === 'string' && !devices.has(args.device))
        throw new ScopeError(`${at}.args.device: "${args.device}" is not a device in config`);
      if (typeof args.value === 'number' && Math.abs(args.value) >= PID_BASE)
        throw new ScopeError(`${at}.args.value: values in a scope stay below ${PID_BASE}`);
      if (o.op === 'obj.create' && typeof args.obj === 'string') objects.add(args.obj);
      for (let i = 0; i < (o.times ?? 1); i++) ops.push({ op: o.op, args });
    });
    threads.push({ name: t.name, ops });
  });
  // Every object an operation names is created somewhere in the scope.
  const named = (args: Readonly<Record<string, unknown>>, at: string) => {
    if (typeof args.obj === 'string' && !objects.has(args.obj))
      throw new ScopeError(`${at}.args.obj: "${args.obj}" is not created in the setup or a thread`);
  };
  setup.forEach((st, i) => {
    if (SCHEDULING.has(st.op)) return;
    named(st.args, `setup[${i}]`);
    if (typeof st.args.value === 'number' && Math.abs(st.args.value) >= PID_BASE)
      throw new ScopeError(`setup[${i}].args.value: values in a scope stay below ${PID_BASE}`);
  });
  s.threads.forEach((t, ti) => {
    t.ops.forEach((o, oi) => {
      named(o.args ?? {}, `threads[${ti}].ops[${oi}]`);
    });
  });
  const faults = s.faults ?? [];
  for (const f of faults)
    if (!FAULT_NAMES.includes(f)) throw new ScopeError(`faults: unknown fault "${f}"`);
  const symmetric = s.symmetric ?? [];
  symmetric.forEach((g, gi) => {
    const allImporters = g.every((n) => importers.has(n));
    const allObjects = g.every((n) => objects.has(n));
    if (!allImporters && !allObjects) {
      const bad = g.find((n) => !importers.has(n) && !objects.has(n)) ?? g[0];
      throw new ScopeError(
        `symmetric[${gi}]: "${bad}" is not an importer or object of the scope, or the group mixes importers and objects`,
      );
    }
  });
  return {
    description: s.description ?? null,
    config,
    configInput: s.config,
    faults,
    setup,
    threads,
    symmetric,
  };
}

/** Read and validate a scope file; every failure is a ScopeError naming the file. */
export function loadScope(file: string): Scope {
  let raw: unknown;
  try {
    raw = readJson(file);
  } catch (e) {
    if (e instanceof InputError)
      throw new ScopeError(e.message.replace('devmem-trace/1', SCOPE_FORMAT));
    throw e;
  }
  try {
    return validateScope(raw);
  } catch (e) {
    if (e instanceof ScopeError) throw new ScopeError(`${file}: ${e.message}`);
    throw e;
  }
}
