/**
 * The exporter's side of a device VMA's p2p_map / p2p_unmap (the LKML thread "[RFC PATCH 3/5]
 * mm/vma: add support for peer to peer to device vma", January 2019): policy applied at the
 * instant of each map — the importer must reach the device by PCIe peer-to-peer, userspace must
 * have shared the object (a mutable flag), the driver's own policy must allow it — and BAR window
 * pages, a resource of the GPU driver, handed out per map and taken back at p2p_unmap.
 */
import type { Domain } from '../world/config.js';
import { pinFrame, unpinFrame } from '../world/frames.js';
import { emit } from '../world/log.js';
import type { BoObj, DeviceVma, ImporterObj, World } from '../world/types.js';
import { importerConfig, keyOf } from './objects.js';

/** The pages of the bo its VMA maps. */
export function vmaPages(vma: DeviceVma): number[] {
  return Array.from({ length: vma.pages }, (_, i) => vma.offset + i);
}

/** The key a BAR window page records its holder by. */
export function holderOf(importer: string, obj: string): string {
  return `${importer}:${obj}`;
}

/**
 * Whether p2p_map may hand this importer the bo's VRAM through the BAR: the importer reaches the
 * device, userspace shared the bo (now), the driver's policy lets peers into VRAM, and the device
 * takes new work (a frozen device's maps use system memory).
 */
export function vmaMayUseVram(w: World, importer: string, bo: BoObj): boolean {
  const dev = w.config.devices.find((d) => d.id === bo.device);
  const reaches = importerConfig(w, importer)?.p2p.includes(bo.device) === true;
  if (!reaches || !bo.domains.includes('vram') || w.devices[bo.device]?.frozen) return false;
  // The fault: the exporter looks at neither userspace's flag nor its own policy.
  if (w.faults['p2p-map-ignores-policy']) return true;
  return bo.shared && dev?.driverPolicy === 'p2p';
}

/**
 * Where p2p_map needs the bo for this importer: where it is, if allowed; else the other domain if
 * allowed; EOPNOTSUPP if neither. System memory is allowed by the domains (or while frozen:
 * suspend moves everything there).
 */
export function vmaTarget(w: World, importer: string, bo: BoObj): Domain | 'EOPNOTSUPP' {
  const vramOk = vmaMayUseVram(w, importer, bo);
  const systemOk = bo.domains.includes('system') || w.devices[bo.device]?.frozen === true;
  if (bo.placement === 'vram' ? vramOk : systemOk) return bo.placement;
  if (bo.placement === 'vram') return systemOk ? 'system' : 'EOPNOTSUPP';
  return vramOk ? 'vram' : 'EOPNOTSUPP';
}

/** Free BAR window pages of a device, lowest first. */
function freeSlots(w: World, device: string): number[] {
  const out: number[] = [];
  (w.devices[device]?.bar ?? []).forEach((h, i) => {
    if (h === null) out.push(i);
  });
  return out;
}

export function windowAvailable(w: World, device: string, n: number): boolean {
  return freeSlots(w, device).length >= n;
}

/**
 * p2p_map's end: record the map (BAR window pages for a VRAM map), emit it, and return the view
 * the importer programs its page table from (the bo's frames of the VMA's pages).
 */
export function recordVmaMap(
  w: World,
  importer: string,
  io: ImporterObj,
  bo: BoObj,
  pages: readonly number[],
): void {
  const vram = bo.placement === 'vram';
  const slots = vram ? freeSlots(w, bo.device).slice(0, pages.length) : [];
  const bar = w.devices[bo.device]?.bar;
  for (const slot of slots) {
    if (bar) bar[slot] = holderOf(importer, bo.name);
    emit(w, { type: 'bar.alloc', device: bo.device, slot, importer, obj: bo.key });
  }
  const frames = vram ? pages.map((i) => bo.frames[i] ?? w.dummyFrame) : [];
  io.vma = { device: bo.device, slots, frames, vram, pinned: false, revoked: null };
  emit(w, { type: 'p2p.map', importer, obj: bo.key, vram });
}

/**
 * p2p_unmap: the importer gives its map back; the window pages it still holds go back to the
 * driver. (A pin-flag map is dropped with its pin: releasePinFlag.)
 */
export function releaseVmaMap(w: World, importer: string, obj: string): void {
  const io = w.importers[importer]?.objs[obj];
  const m = io?.vma;
  if (!io || !m || m.pinned) return;
  const bar = w.devices[m.device]?.bar;
  const key = keyOf(w, obj);
  for (const slot of m.slots) {
    if (bar?.[slot] !== holderOf(importer, obj)) continue;
    bar[slot] = null;
    emit(w, { type: 'bar.free', device: m.device, slot, importer, obj: key });
  }
  io.vma = null;
  emit(w, { type: 'p2p.unmap', importer, obj: key });
}

/**
 * The p2p-window-reused-before-unmap fault: the exporter takes the BAR window pages of every map
 * of the bo back when it starts zapping the VMA, before the importers' p2p_unmap ran.
 */
export function reclaimWindowsEarly(w: World, bo: BoObj): void {
  const bar = w.devices[bo.device]?.bar;
  if (!bar) return;
  bar.forEach((h, slot) => {
    if (h === null || !h.endsWith(`:${bo.name}`)) return;
    bar[slot] = null;
    const importer = h.slice(0, h.length - bo.name.length - 1);
    emit(w, { type: 'bar.free', device: bo.device, slot, importer, obj: bo.key });
  });
}

/** Pin the VMA's pages of the bo where they are for a pin-flag importer (gup longterm, vfio). */
export function takePinFlag(
  w: World,
  importer: string,
  io: ImporterObj,
  bo: BoObj,
  pages: readonly number[],
): void {
  const vram = bo.placement === 'vram';
  const frames = pages.map((i) => bo.frames[i] ?? w.dummyFrame);
  for (const f of frames) pinFrame(w, f);
  io.pin = {
    pages: [...pages],
    frames,
    longterm: true,
    write: true,
    drops: pages.map(() => 0),
    cows: pages.map(() => 0),
    vram,
  };
  io.vma = { device: bo.device, slots: [], frames: [], vram, pinned: true, revoked: null };
  emit(w, { type: 'p2p.pin', importer, obj: bo.key, vram });
}

/** Drop a pin-flag pin (imp.unpin, imp.unmap, or the exporter revoking it at unplug). */
export function releasePinFlag(w: World, importer: string, obj: string): void {
  const io = w.importers[importer]?.objs[obj];
  if (!io?.vma?.pinned) return;
  if (io.pin) {
    for (const f of io.pin.frames) unpinFrame(w, f);
    io.pin = null;
    emit(w, { type: 'p2p.unpin', importer, obj: keyOf(w, obj) });
  }
}

/** Every importer holding a map through the bo's VMA (pin-flag ones included). */
export function vmaImporters(w: World, obj: string): string[] {
  const out: string[] = [];
  for (const imp of Object.values(w.importers)) if (imp.objs[obj]?.vma) out.push(imp.id);
  return out;
}

/**
 * Unplug kills the pin-flag maps of the bo: the pins go (nothing of the device's is left to hold)
 * and each importer is made aware on its next access, EIO or the dummy page per the device's
 * `revoke` policy (the thread: "kill the p2p mapping and make sure the importer is aware ... or
 * at very least fallback to dummy pages").
 */
export function revokePinFlags(w: World, bo: BoObj): void {
  const policy = w.config.devices.find((d) => d.id === bo.device)?.revoke ?? 'eio';
  for (const imp of Object.values(w.importers)) {
    const io = imp.objs[bo.name];
    if (!io?.vma?.pinned || io.vma.revoked) continue;
    releasePinFlag(w, imp.id, bo.name);
    io.vma.revoked = policy;
  }
}
