import { deviceFrames } from '../../src/kernel/device.js';
import { pteFrame } from '../../src/kernel/pages.js';
import type { World } from '../../src/world/types.js';
import type { ImporterObjRef } from './backing.js';
import type { Finding, Invariant } from './types.js';

/** After revoke: no dynamic attachment and no CPU mapping points at the device's frames. */
function revokedMappings(
  w: World,
  imps: readonly ImporterObjRef[],
  device: string,
  frames: ReadonlySet<number>,
): Finding | null {
  for (const o of Object.values(w.objects)) {
    if (o.kind === 'bo' && o.device === device) {
      const i = o.cpu.findIndex((f) => f !== null && frames.has(f));
      if (i >= 0)
        return {
          message: `${device} is unplugged but the CPU still maps bo ${o.name}[${i}] to its frame ${o.cpu[i]}`,
          objs: [o.name],
        };
    }
    if (o.kind === 'anon') {
      // A page pinned in the device's memory stays until its pin goes (release waits for that).
      const i = o.page.findIndex((pg) => {
        const f = pteFrame(pg.pte);
        return f !== null && frames.has(f) && (w.frames[f]?.pins ?? 0) === 0;
      });
      if (i >= 0)
        return {
          message: `${device} is unplugged but ${o.name}[${i}] still lives in its memory`,
          objs: [o.name],
        };
    }
  }
  for (const { importer, io } of imps) {
    // Dynamic attachments and peers of a device VMA (mirrors, through the zap) are revoked.
    const viaVma = !io.att && w.objects[io.obj]?.kind === 'bo';
    if (!io.att?.dynamic && !viaVma) continue;
    const page = io.pt.findIndex((e) => e !== null && frames.has(e.f));
    if (page >= 0)
      return {
        message: `${device} is unplugged but ${importer}'s ${viaVma ? 'map through the device VMA' : 'dynamic attachment'} still maps ${io.obj}[${page}]`,
        importers: [importer],
      };
  }
  return null;
}

export const unplugRevoked: Invariant = {
  name: 'Unplug.Revoked',
  statement:
    "after revoke, no dynamic attachment, device-VMA peer or CPU mapping points at the device's frames and every attachment was notified; no pinned frame is freed",
  check({ w, obs, imps, index }) {
    for (const o of obs) {
      if (o.k === 'freed-pinned')
        return { message: `frame ${o.f} was freed while a pin still points at it`, frames: [o.f] };
      if (o.k === 'revoked') {
        const hit = revokedMappings(w, imps, o.device, new Set(o.frames));
        if (hit) return hit;
      }
    }
    for (const id in w.devices) {
      const d = w.devices[id];
      if (!d?.gone || d.power === 'unplugging') continue;
      // Every mapping revokedMappings looks for is a reference: with none into the device, skip.
      if (!index().refersToDevice(d.id)) continue;
      const hit = revokedMappings(w, imps, d.id, new Set(deviceFrames(w, d.id)));
      if (hit) return hit;
    }
    return null;
  },
};
