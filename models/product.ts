/**
 * The specification as a synchronous product of small machines (CSP style): an event is legal
 * iff every machine instance it is routed to accepts it. Instances are keyed by what the event
 * names (object, page, importer, device) and start in their machine's initial state.
 *
 * The product state is plain data ({ value, context } per instance). Transitions go through
 * xstate's pure `transition()` and are cached by (machine, state, context, event), so a run pays
 * for xstate once per distinct transition.
 */
import { getInitialSnapshot, type StateValue, transition } from 'xstate';
import type { SpecEvent, SpecEventType } from './alphabet.js';
import { transitionKey } from './coverage.js';
import type { Directory, MachineSpec } from './machine-spec.js';

export type { Directory, MachineSpec } from './machine-spec.js';

export interface InstanceState {
  readonly v: string;
  readonly c: unknown;
  /** Cache key of (v, c). */
  readonly k: string;
}

export interface SpecState {
  readonly inst: Record<string, InstanceState>;
  readonly dir: Directory;
}

export interface Change {
  readonly machine: string;
  readonly instance: string;
  readonly from: string;
  readonly to: string;
  readonly event: SpecEventType;
  /** What changed in the machine's context, e.g. `pins 0→1`. */
  readonly detail: string;
}

/** The context fields that differ, as `key a→b`. */
function contextDiff(a: unknown, b: unknown): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return '';
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return Object.keys(rb)
    .filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]))
    .map((k) => `${k} ${JSON.stringify(ra[k])}→${JSON.stringify(rb[k])}`)
    .join(', ');
}

export interface Refusal {
  readonly machine: string;
  readonly instance: string;
  readonly state: string;
  readonly event: SpecEvent;
}

export type SpecStep =
  | { readonly ok: true; readonly changes: readonly Change[] }
  | { readonly ok: false; readonly refusal: Refusal };

interface Cached {
  readonly next: InstanceState | null;
  /** The transition, for coverage: recorded the first time a run takes it. */
  readonly taken: string;
  /** The context diff of a state change (computed once: the state key fixes both contexts). */
  readonly detail: string;
  /** The epoch in which it was last taken (see beginEpoch): first taken in an epoch, recorded. */
  epoch: number;
  /** A small number naming this cached transition (for observers that count what runs do). */
  readonly id: number;
}

function valueString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const [k, sub] = Object.entries(v)[0] ?? ['', ''];
    return `${k}.${valueString(sub)}`;
  }
  return String(v);
}

function stateKey(v: string, c: unknown): string {
  return c === undefined ? v : `${v}|${JSON.stringify(c)}`;
}

/** A step that changed nothing (shared: callers only read it). */
const NO_CHANGES: SpecStep = { ok: true, changes: [] };

export class Product {
  private readonly byType = new Map<string, MachineSpec[]>();
  private readonly initial = new Map<string, InstanceState>();
  /** machine → state key → event key → the transition. */
  private readonly cache = new Map<string, Map<string, Map<string, Cached>>>();
  /** (machine, from, event, to) of every transition taken: for coverage. */
  readonly taken = new Set<string>();
  private epoch = 0;
  private nextId = 0;
  /**
   * Told of every instance an event reaches and the transition it takes (its id), when set:
   * how a search sees which sequences of transitions its runs produce.
   */
  onTake: ((instance: string, transition: number) => void) | null = null;
  /** The transitions taken since beginEpoch (a search's own coverage, whatever ran before). */
  readonly epochTaken = new Set<string>();
  /**
   * When set, every cache hit is computed again and must agree: a machine's `eventKey` that
   * leaves out an event field one of its guards reads makes two events that the machine tells
   * apart share a cache entry, and this throws naming both (test/spec-cache.test.ts).
   */
  verifyCache = false;

  constructor(readonly machines: readonly MachineSpec[]) {
    for (const m of machines) {
      for (const t of m.alphabet) {
        const list = this.byType.get(t) ?? [];
        list.push(m);
        this.byType.set(t, list);
      }
      const snap = getInitialSnapshot(m.machine);
      const v = valueString(snap.value);
      this.initial.set(m.id, { v, c: snap.context, k: stateKey(v, snap.context) });
    }
  }

  /** Start counting the transitions one search takes (epochTaken) from nothing. */
  beginEpoch(): void {
    this.epoch += 1;
    this.epochTaken.clear();
  }

  /** Forget which transitions were taken (coverage starts again). */
  resetCoverage(): void {
    this.taken.clear();
    this.beginEpoch();
  }

  initialState(): SpecState {
    return { inst: {}, dir: { objs: {} } };
  }

  /** The state of one instance (its machine's initial state if never reached). */
  instance(s: SpecState, machine: string, key: string): InstanceState | undefined {
    return s.inst[`${machine}:${key}`] ?? this.initial.get(machine);
  }

  /** Deliver one event to every instance it reaches; on refusal nothing changes. */
  /**
   * Deliver one event to every instance it reaches; on refusal nothing changes. The changes are
   * described only when asked for (`describe`, for step-by-step output).
   */
  step(s: SpecState, ev: SpecEvent, describe = true): SpecStep {
    this.noteDirectory(s.dir, ev);
    const specs = this.byType.get(ev.type);
    if (!specs) return NO_CHANGES;
    let updates: (string | InstanceState)[] | null = null;
    let changes: Change[] | null = null;
    for (const m of specs) {
      const evKey = m.eventKey ? m.eventKey(ev) : ev.type;
      const prefix = `${m.id}:`;
      for (const key of m.route(ev, s.dir)) {
        const id = prefix + key;
        const cur = s.inst[id] ?? this.initial.get(m.id);
        if (!cur) continue;
        const hit = this.next(m, cur, ev, evKey);
        const next = hit.next;
        this.onTake?.(id, hit.id);
        if (hit.epoch !== this.epoch) {
          hit.epoch = this.epoch;
          if (next) {
            this.epochTaken.add(hit.taken);
            this.taken.add(hit.taken);
          }
        }
        if (next === null)
          return { ok: false, refusal: { machine: m.id, instance: key, state: cur.v, event: ev } };
        if (next.k === cur.k) continue;
        updates ??= [];
        updates.push(id, next);
        if (describe) {
          changes ??= [];
          changes.push({
            machine: m.id,
            instance: key,
            from: cur.v,
            to: next.v,
            event: ev.type,
            detail: hit.detail,
          });
        }
      }
    }
    if (updates === null) return NO_CHANGES;
    for (let i = 0; i < updates.length; i += 2)
      s.inst[updates[i] as string] = updates[i + 1] as InstanceState;
    return changes === null ? NO_CHANGES : { ok: true, changes };
  }

  private next(m: MachineSpec, cur: InstanceState, ev: SpecEvent, evKey: string): Cached {
    let byState = this.cache.get(m.id);
    if (!byState) {
      byState = new Map();
      this.cache.set(m.id, byState);
    }
    let byEvent = byState.get(cur.k);
    if (!byEvent) {
      byEvent = new Map();
      byState.set(cur.k, byEvent);
    }
    const hit = byEvent.get(evKey);
    if (hit) {
      if (this.verifyCache) this.verify(m, cur, ev, evKey, hit);
      return hit;
    }
    const next = this.compute(m, cur, ev);
    const made: Cached = {
      next,
      taken: transitionKey(m.id, cur.v, ev.type, next?.v ?? ''),
      detail: next !== null && next.k !== cur.k ? contextDiff(cur.c, next.c) : '',
      epoch: -1,
      id: this.nextId++,
    };
    byEvent.set(evKey, made);
    return made;
  }

  /** The machine's own answer: the state after ev, or null if it refuses ev. */
  private compute(m: MachineSpec, cur: InstanceState, ev: SpecEvent): InstanceState | null {
    const snap = m.machine.resolveState({
      value: cur.v.includes('.') ? pathValue(cur.v) : cur.v,
      context: cur.c as never,
    });
    if (m.machine.getTransitionData(snap as never, ev as never).length === 0) return null;
    const [after] = transition(m.machine, snap as never, ev as never);
    const v = valueString(after.value);
    return { v, c: after.context, k: stateKey(v, after.context) };
  }

  private verify(m: MachineSpec, cur: InstanceState, ev: SpecEvent, key: string, hit: Cached) {
    const fresh = this.compute(m, cur, ev);
    if ((fresh?.k ?? null) === (hit.next?.k ?? null)) return;
    throw new Error(
      `the ${m.id} machine's eventKey gives ${JSON.stringify(ev)} the key "${key}" of an event it treats differently in state ${cur.k}: cached ${hit.next?.k ?? 'refused'}, computed ${fresh?.k ?? 'refused'}`,
    );
  }

  private noteDirectory(dir: Directory, ev: SpecEvent): void {
    if (ev.type === 'obj.create') {
      dir.objs[ev.obj] = { kind: ev.kind, pages: ev.pages, importers: [], released: false };
    } else if (ev.type === 'obj.release') {
      const o = dir.objs[ev.obj];
      if (o) o.released = true;
    } else if (ev.type === 'sub.insert' || ev.type === 'att.attach') {
      const o = dir.objs[ev.obj];
      if (o && !o.importers.includes(ev.importer)) o.importers.push(ev.importer);
    }
  }
}

function pathValue(v: string): StateValue {
  const [head, ...rest] = v.split('.');
  if (rest.length === 0) return head ?? '';
  return { [head ?? '']: pathValue(rest.join('.')) };
}

/**
 * A copy to step on independently. Instance states are never changed in place (a step replaces
 * them, and the transition cache shares them between runs), so only the record and the
 * directory are copied.
 */
export function cloneSpecState(s: SpecState): SpecState {
  const objs: Directory['objs'] = {};
  for (const [k, o] of Object.entries(s.dir.objs)) objs[k] = { ...o, importers: [...o.importers] };
  return { inst: { ...s.inst }, dir: { objs } };
}
