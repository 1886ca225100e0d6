/**
 * The operation families a swarm profile switches on and off, and the profile itself: apart from
 * profile.ts (which draws profiles from the makers) so that commands.ts (the makers) and
 * profile.ts do not import each other.
 */
export const OP_FAMILIES = [
  'lifecycle',
  'cpu',
  'migrate',
  'reclaim',
  'mirror',
  'pin',
  'dmabuf',
  'share',
  'device',
  'userptr',
  'vma',
  'vm',
] as const;

export type Family = (typeof OP_FAMILIES)[number];

export interface Profile {
  /** Relative weight of each operation the generator can start (MAKER_LIST order); 0 is off. */
  readonly weights: readonly number[];
  readonly importers: readonly string[];
  readonly devices: readonly string[];
  /** At most this many processes pending at once. */
  readonly maxPending: number;
  /** How lazily pending processes are stepped: a step weighs the operations' total / this. */
  readonly lazy: number;
  /** At most this many device events (hang, reset, suspend, resume, unplug) per run. */
  readonly maxDeviceEvents: number;
}
