/**
 * userptr subscribers inside an invalidation [amdgpu userptr, KFD evict/restore queues]:
 * a gfx job is short, so invalidate() waits for its fence; a compute job may run for hours, so
 * invalidate() preempts its queues instead (quiesce, zap, return) and the job re-validates
 * after the invalidation ends.
 */
import { emit } from '../world/log.js';
import type { Wait, World } from '../world/types.js';
import { importerConfig, keyOf } from './objects.js';

function queuesOf(w: World, importer: string): 'gfx' | 'compute' | null {
  return importerConfig(w, importer)?.queues ?? null;
}

/** What invalidate() must wait for before it may zap, if anything. */
export function jobInvalidateWait(w: World, importer: string, obj: string): Wait | null {
  const job = w.importers[importer]?.objs[obj]?.job;
  if (job?.state !== 'running') return null;
  const q = queuesOf(w, importer);
  if (q === 'gfx') return { on: 'job', importer, obj, user: false };
  if (q === 'compute' && w.faults['notifier-waits-for-compute-job']) {
    return { on: 'job', importer, obj, user: true };
  }
  return null;
}

/** Preempt a running compute job's queues before its GPU page table is zapped. */
export function jobPreempt(w: World, importer: string, obj: string): void {
  const job = w.importers[importer]?.objs[obj]?.job;
  if (job?.state !== 'running' || queuesOf(w, importer) !== 'compute') return;
  job.state = 'preempted';
  job.saved = [...(w.importers[importer]?.objs[obj]?.pt ?? [])];
  emit(w, { type: 'job.preempt', importer, obj: keyOf(w, obj) });
}
