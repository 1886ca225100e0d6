/** What the current atomic step tells the specification and the observers. */
import type { SpecEvent } from '../../models/alphabet.js';
import type { Observation, World } from './types.js';

export function emit(w: World, ev: SpecEvent): void {
  w.log.events.push(ev);
}

export function observe(w: World, o: Observation): void {
  w.log.obs.push(o);
}

export function freshId(w: World): number {
  const id = w.nextId;
  w.nextId += 1;
  return id;
}
