/**
 * What the product (product.ts) is made of: one machine of the specification with its alphabet
 * and how its instances are keyed, and the directory of objects events are routed by. Kept apart
 * so that coverage.ts (which reads machines) and product.ts (which runs them) do not import each
 * other.
 */
import type { AnyStateMachine } from 'xstate';
import type { SpecEvent, SpecEventType } from './alphabet.js';

export interface Directory {
  /** Objects the run created: kind and size. */
  readonly objs: Record<
    string,
    { readonly kind: 'anon' | 'bo'; readonly pages: number; importers: string[]; released: boolean }
  >;
}

export interface MachineSpec {
  readonly id: string;
  readonly machine: AnyStateMachine;
  readonly alphabet: readonly SpecEventType[];
  /** How instances are keyed (documentation). */
  readonly keyedBy: string;
  /** The instance keys this event reaches. */
  route(ev: SpecEvent, dir: Directory): readonly string[];
  /** The part of an event the machine's guards and actions read (default: its type). */
  eventKey?(ev: SpecEvent): string;
}
