/**
 * dma_buf_detach, phases revoke and free: under the reservation lock the mapping and any pin
 * go and the attachment leaves the bo's list; then its memory is freed. With the
 * invalidate-vs-detach fault the revoke does not take the reservation lock, so a move already
 * notifying under it can reach the attachment after it was freed.
 */
import { done, failed, type Plan, PROGRESS } from '../exec/op.js';
import { dropBoPin } from '../kernel/dmabuf.js';
import { maybeRelease } from '../kernel/lifecycle.js';
import { lockBusy, resvLock, tryLock, unlock } from '../kernel/locks.js';
import { dmaWait, zapImporter } from '../kernel/notifier.js';
import { emit } from '../world/log.js';
import type { Proc, World } from '../world/types.js';
import { tidyImporterObj } from './args.js';

export type DmabufDetachState = {
  readonly importer: string;
  readonly obj: string;
  stage: 'revoke' | 'free';
};

export function newDmabufDetach(importer: string, obj: string): DmabufDetachState {
  return { importer, obj, stage: 'revoke' };
}

export function planDmabufDetach(w: World, p: Proc, d: DmabufDetachState): Plan {
  const bo = w.objects[d.obj];
  const io = w.importers[d.importer]?.objs[d.obj];
  if (bo?.kind !== 'bo' || !io?.att) return () => done();
  const att = io.att;
  const locked = !w.faults['invalidate-vs-detach'];
  if (d.stage === 'revoke') {
    if (att.revoked) return () => failed('ENOENT');
    const busy =
      dmaWait(w, d.importer, d.obj) ?? (locked ? lockBusy(w, resvLock(d.obj), p.pid) : null);
    if (busy) return busy;
    return () => {
      if (locked) tryLock(w, resvLock(d.obj), p.pid);
      zapImporter(w, d.importer, d.obj);
      att.sg = null;
      att.revoked = true;
      io.mapped = false;
      dropBoPin(w, d.importer, bo);
      emit(w, { type: 'att.detach', importer: d.importer, obj: bo.key });
      if (locked) unlock(w, resvLock(d.obj), p.pid);
      d.stage = 'free';
      return PROGRESS;
    };
  }
  return () => {
    att.freed = true;
    io.att = null;
    emit(w, { type: 'att.free', importer: d.importer, obj: bo.key });
    tidyImporterObj(w, d.importer, d.obj);
    maybeRelease(w, d.obj);
    return done();
  };
}
