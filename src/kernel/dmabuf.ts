/**
 * dma-buf exporter side [drivers/dma-buf/dma-buf.c, xe_dma_buf.c, amdgpu_dma_buf.c]: who may
 * use VRAM, the attachments a move must notify, and the importer's invalidate callback
 * (move_notify / invalidate_mappings), called with the reservation lock held.
 */

import { pinFrame, unpinFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { Attachment, BoObj, ImporterObj, World } from '../world/types.js';
import { zapImporter } from './notifier.js';
import { keyOf } from './objects.js';

/** A map or pin may use VRAM iff the attachment is p2p and userspace shared the bo now. */
export function mayUseVram(bo: BoObj, att: Attachment): boolean {
  return att.p2p && bo.shared;
}

export interface AttRef {
  readonly importer: string;
  readonly att: Attachment;
}

/** Every attachment of a bo, newest first (the order move_notify reaches them). */
export function attachments(w: World, obj: string): AttRef[] {
  const out: AttRef[] = [];
  for (const imp of Object.values(w.importers)) {
    const att = imp.objs[obj]?.att;
    if (att && !att.freed && !att.revoked) out.push({ importer: imp.id, att });
  }
  return out.sort((a, b) => b.att.order - a.att.order);
}

export function dynamicAttachments(w: World, obj: string): string[] {
  return attachments(w, obj)
    .filter((a) => a.att.dynamic)
    .map((a) => a.importer);
}

export function isPinned(w: World, obj: string): boolean {
  for (const imp of Object.values(w.importers)) if (imp.objs[obj]?.pin) return true;
  return false;
}

export function pinnedInVram(w: World, obj: string, except?: string): boolean {
  for (const imp of Object.values(w.importers)) {
    if (imp.id !== except && imp.objs[obj]?.pin?.vram) return true;
  }
  return false;
}

/**
 * The importer's invalidate callback: unmap its device page table for the bo and mark the
 * mapping invalid, so the next access re-maps. An attachment already detached and freed is
 * touched anyway if a stale list still names it (that is the bug the freed flag reports).
 */
export function invalidateAttachment(
  w: World,
  importer: string,
  obj: string,
  stale: { att: Attachment } | null,
): void {
  const io = w.importers[importer]?.objs[obj];
  const key = keyOf(w, obj);
  const att = io?.att ?? stale?.att ?? null;
  if (!att || att.freed || io?.att !== att) {
    w.log.obs.push({ k: 'touch-detached', importer, obj });
    emit(w, { type: 'att.invalidate', importer, obj: key });
    return;
  }
  if (att.sg === null && w.faults['invalidate-unmapped-crash']) {
    // The importer's callback dereferences its sg table without the `!sgt` guard.
    throw new Error(
      `NULL pointer dereference in ${importer}'s invalidate_mappings: ${obj} was never mapped`,
    );
  }
  zapImporter(w, importer, obj);
  att.sg = null;
  att.invalidated = true;
  emit(w, { type: 'att.invalidate', importer, obj: key });
}

/** Pin a bo's frames where they are for an importer (dma_buf_pin, or a static map). */
export function takeBoPin(w: World, importer: string, io: ImporterObj, bo: BoObj): void {
  const vram = bo.placement === 'vram';
  for (const f of bo.frames) pinFrame(w, f);
  io.pin = {
    pages: bo.frames.map((_, i) => i),
    frames: [...bo.frames],
    longterm: false,
    write: true,
    drops: bo.frames.map(() => 0),
    cows: bo.frames.map(() => 0),
    vram,
  };
  emit(w, { type: 'bo.pin', importer, obj: bo.key, vram });
}

/** Drop an importer's dma-buf pin on a bo. */
export function dropBoPin(w: World, importer: string, bo: BoObj): void {
  const io = w.importers[importer]?.objs[bo.name];
  const pin = io?.pin;
  if (!io || !pin) return;
  for (const f of pin.frames) unpinFrame(w, f);
  io.pin = null;
  emit(w, { type: 'bo.unpin', importer, obj: bo.key });
}
