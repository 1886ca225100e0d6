/**
 * A device's copy/DMA engine. An active device completes work at once. A hung device completes
 * nothing: work for it is queued as a job that only dev.reset completes, with an error (the
 * fence is force-completed), so the waiter fails with EIO and undoes what it started.
 */
import { freshId } from '../world/log.js';
import type { Wait, World } from '../world/types.js';

/** Where a process stands with the engines it needs. */
type Gate =
  | { readonly k: 'go' }
  | { readonly k: 'wait'; readonly wait: Wait }
  | { readonly k: 'submit'; readonly device: string }
  | { readonly k: 'failed' };

export interface EngineSlot {
  job: number | null;
}

function gate(w: World, devices: readonly string[], slot: EngineSlot): Gate {
  if (slot.job !== null) {
    const job = w.jobs.find((j) => j.id === slot.job);
    if (!job || job.failed) return { k: 'failed' };
    return { k: 'wait', wait: { on: 'engine', device: job.device, job: job.id } };
  }
  for (const d of devices) {
    // A device removed by surprise completes nothing, ever (unless the driver ignores that).
    if (w.devices[d]?.surprise) return ignoresCopyFailure(w, d) ? { k: 'go' } : { k: 'failed' };
    const power = w.devices[d]?.power;
    if (power === 'hung') return { k: 'submit', device: d };
    if (power === 'resetting' || power === 'suspended')
      return { k: 'wait', wait: { on: 'device', device: d, power } };
  }
  return { k: 'go' };
}

/** Queue the work on the hung device's engine. */
function submit(w: World, device: string, slot: EngineSlot): void {
  const id = freshId(w);
  w.jobs.push({ id, device, failed: false });
  slot.job = id;
}

/** The waiter saw its job fail: forget it. */
function retire(w: World, slot: EngineSlot): void {
  const id = slot.job;
  w.jobs = w.jobs.filter((j) => j.id !== id);
  slot.job = null;
}

/**
 * One step through the engine gate: null when the work may go on now; otherwise the wait, a step
 * that queues the work on the hung device's engine (returning `progress`), or, once a reset
 * failed the job, a step that forgets it and then runs the caller's `failure`.
 */
export function engineStep<R>(
  w: World,
  devices: readonly string[],
  slot: EngineSlot,
  progress: R,
  failure: () => R,
): Wait | (() => R) | null {
  const g = gate(w, devices, slot);
  switch (g.k) {
    case 'go':
      return null;
    case 'wait':
      return g.wait;
    case 'submit':
      return () => {
        submit(w, g.device, slot);
        return progress;
      };
    case 'failed':
      return () => {
        retire(w, slot);
        return failure();
      };
  }
}

/** dev.reset force-completes every fence of the device's engine with an error. */
export function failJobs(w: World, device: string): void {
  for (const j of w.jobs) if (j.device === device) j.failed = true;
}

/**
 * The unplug-ignores-copy-failure fault: the driver evacuates a device removed by surprise as if
 * it were an orderly unbind, and its copies back "complete" without looking at the error
 * (nouveau_dmem_evict_chunk: "there is nothing sensible we can do if we can't copy the data
 * back"), so garbage becomes the pages' data unreported.
 */
export function ignoresCopyFailure(w: World, device: string | null): boolean {
  return (
    device !== null &&
    w.devices[device]?.surprise === true &&
    w.faults['unplug-ignores-copy-failure'] === true
  );
}

/** The frame is memory of a device removed by surprise: every access to it fails. */
export function memoryGone(w: World, f: number): boolean {
  const fr = w.frames[f];
  return fr?.kind === 'vram' && fr.device !== null && w.devices[fr.device]?.surprise === true;
}

/** Memory of a device being reset is garbage until the reset recovers: access waits for it. */
export function memoryWait(w: World, f: number): Wait | null {
  const fr = w.frames[f];
  if (fr?.kind !== 'vram' || fr.device === null) return null;
  const power = w.devices[fr.device]?.power;
  return power === 'resetting' ? { on: 'device', device: fr.device, power } : null;
}
