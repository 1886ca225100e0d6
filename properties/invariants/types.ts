/** What an invariant sees after an atomic step, and what it reports. Observers only read. */
import type { Refusal } from '../../models/product.js';
import type { Observation, Wait, World } from '../../src/world/types.js';
import type { Ghost } from '../ghost.js';
import type { InvalidationWatch } from '../invalidation-watch.js';
import type { WorldIndex } from '../world-index.js';
import type { ImporterObjRef } from './backing.js';

export interface CheckCtx {
  readonly w: World;
  /** What the step did (reads, writes, touches). */
  readonly obs: readonly Observation[];
  /** The observers' own record of each page's logical value. */
  readonly ghost: Ghost;
  /** How many steps each active invalidation has taken since it was last blocked. */
  readonly watch: InvalidationWatch;
  /** What each blocked pending process waits for, by pid. */
  readonly waits: ReadonlyMap<number, Wait>;
  readonly oops: string | null;
  /** The operation that returned on this step, if one did. */
  readonly finished: Finished | null;
  readonly refusal: Refusal | null;
  /** Every importer's per-object state (computed once per step). */
  readonly imps: readonly ImporterObjRef[];
  /** Who points at which frame (built once per step, on first use). */
  index(): WorldIndex;
}

export interface Finished {
  readonly pid: number;
  readonly label: string;
  readonly op: string;
}

export interface Finding {
  readonly message: string;
  readonly frames?: readonly number[];
  readonly objs?: readonly string[];
  readonly importers?: readonly string[];
}

export interface Invariant {
  readonly name: string;
  readonly statement: string;
  check(c: CheckCtx): Finding | null;
}
