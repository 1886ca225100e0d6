/**
 * dma-buf attach: peer2peer is recorded (the importer reaches the bo's device) and fixed for
 * the attachment. Not p2p and no system domain: EOPNOTSUPP (the exporter could never place it).
 */
import { done, type Outcome } from '../exec/op.js';
import type { ImporterConfig } from '../world/config.js';
import type { Errno } from '../world/errno.js';
import { emit } from '../world/log.js';
import type { BoObj, ImporterObj, World } from '../world/types.js';
import { deviceErrno } from './device-state.js';

export function dmabufAttachErrno(w: World, ic: ImporterConfig, o: BoObj): Errno | null {
  const err = deviceErrno(w, o.device);
  if (err) return err;
  if (!ic.p2p.includes(o.device) && !o.domains.includes('system')) return 'EOPNOTSUPP';
  return null;
}

export function attachDmabuf(
  w: World,
  ic: ImporterConfig,
  o: BoObj,
  io: ImporterObj,
  order: number,
): Outcome {
  const p2p = ic.p2p.includes(o.device);
  io.att = {
    p2p,
    dynamic: ic.dynamic,
    order,
    sg: null,
    vram: false,
    invalidated: false,
    revoked: false,
    freed: false,
  };
  io.mapped = false;
  emit(w, { type: 'att.attach', importer: ic.id, obj: o.key, p2p, dynamic: ic.dynamic });
  return done({ p2p });
}
