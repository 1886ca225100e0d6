/** Every invariant, each its own named check. */
import { attachNoUseAfterDetach } from './attach-no-use-after-detach.js';
import { deviceCapacityRespected } from './device-capacity.js';
import { frameNoLeak } from './frame-no-leak.js';
import { frameNoRefLeak } from './frame-no-ref-leak.js';
import { frameNoUseAfterFree } from './frame-no-use-after-free.js';
import { hangLossIsReported } from './hang-loss-reported.js';
import { kernelNoLockOnReturn } from './kernel-no-lock-on-return.js';
import { kernelNoOops } from './kernel-no-oops.js';
import { lifecycleNoLeaks } from './lifecycle-no-leaks.js';
import { mapNoStalePfn } from './map-no-stale-pfn.js';
import { mapObservesCurrentData } from './map-observes-current-data.js';
import { mapRespectsProtection } from './map-respects-protection.js';
import { notifierSeqMovesForward } from './notifier-seq-forward.js';
import { notifierSeqProtocol } from './notifier-seq-protocol.js';
import { p2pWindowNotReusedWhileMapped } from './p2p-window.js';
import { pinBalanced } from './pin-balanced.js';
import { pinCoherentWithOwner } from './pin-coherent-with-owner.js';
import { pinLongtermNotInDeviceMemory } from './pin-longterm.js';
import { pinNeverMoves } from './pin-never-moves.js';
import { policyP2pOnlyWhenAllowed } from './policy-p2p.js';
import { policyPinnedNonP2pInSystem } from './policy-pinned-non-p2p.js';
import { progressInvalidationCompletes } from './progress-invalidation-completes.js';
import { progressNoDeadlock } from './progress-no-deadlock.js';
import { progressInvalidationNeverWaitsOnUserJob } from './progress-user-job.js';
import { specConforms } from './spec-conforms.js';
import { suspendNoDataInPoweredOffVram } from './suspend-no-data.js';
import type { Invariant } from './types.js';
import { unplugRevoked } from './unplug-revoked.js';

export const INVARIANTS: readonly Invariant[] = [
  pinNeverMoves,
  pinCoherentWithOwner,
  pinBalanced,
  pinLongtermNotInDeviceMemory,
  mapNoStalePfn,
  mapRespectsProtection,
  frameNoLeak,
  mapObservesCurrentData,
  frameNoUseAfterFree,
  frameNoRefLeak,
  notifierSeqProtocol,
  notifierSeqMovesForward,
  policyP2pOnlyWhenAllowed,
  policyPinnedNonP2pInSystem,
  p2pWindowNotReusedWhileMapped,
  deviceCapacityRespected,
  suspendNoDataInPoweredOffVram,
  unplugRevoked,
  hangLossIsReported,
  lifecycleNoLeaks,
  attachNoUseAfterDetach,
  kernelNoOops,
  kernelNoLockOnReturn,
  progressNoDeadlock,
  progressInvalidationNeverWaitsOnUserJob,
  progressInvalidationCompletes,
  specConforms,
];

export const INVARIANT_NAMES: readonly string[] = INVARIANTS.map((i) => i.name);

export function invariantByName(name: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.name === name);
}
