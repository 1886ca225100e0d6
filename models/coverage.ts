/**
 * The specification's transitions, read from the machines themselves: one per (state, event,
 * target) — a guarded transition that stays in its state counts as a transition to itself. The
 * product records the same keys as runs take them, so coverage is a set difference.
 */
import type { MachineSpec } from './machine-spec.js';

export interface TransitionInfo {
  readonly machine: string;
  readonly from: string;
  readonly event: string;
  readonly to: string;
  readonly guards: readonly string[];
  readonly actions: readonly string[];
  readonly key: string;
}

interface RawTransition {
  readonly target?: readonly { readonly key: string }[];
  readonly guard?: unknown;
  readonly actions?: readonly unknown[];
}

function nameOf(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && 'type' in x) return String((x as { type: unknown }).type);
  return '';
}

export function transitionKey(machine: string, from: string, event: string, to: string): string {
  return `${machine}\u0000${from}\u0000${event}\u0000${to}`;
}

export function transitionsOf(m: MachineSpec): TransitionInfo[] {
  const out = new Map<string, TransitionInfo>();
  const states = m.machine.root.states as Record<
    string,
    { transitions: Map<string, RawTransition[]> }
  >;
  for (const [from, node] of Object.entries(states)) {
    for (const [event, defs] of node.transitions) {
      for (const d of defs) {
        const to = d.target?.[0]?.key ?? from;
        const key = transitionKey(m.id, from, event, to);
        const prev = out.get(key);
        const guard = nameOf(d.guard);
        const actions = (d.actions ?? []).map(nameOf).filter((a) => a !== '');
        out.set(key, {
          machine: m.id,
          from,
          event,
          to,
          guards: [...(prev?.guards ?? []), ...(guard ? [guard] : [])],
          actions: [...new Set([...(prev?.actions ?? []), ...actions])],
          key,
        });
      }
    }
  }
  return [...out.values()];
}

/** The states of a (flat) machine, the initial one first. */
export function statesOf(m: MachineSpec): { initial: string; states: string[]; finals: string[] } {
  const root = m.machine.root as unknown as {
    initial?: { target?: readonly { key: string }[] };
    states: Record<string, { type: string }>;
  };
  const initial = root.initial?.target?.[0]?.key ?? Object.keys(root.states)[0] ?? '';
  const states = Object.keys(root.states);
  const finals = states.filter((s) => root.states[s]?.type === 'final');
  return { initial, states: [initial, ...states.filter((s) => s !== initial)], finals };
}
