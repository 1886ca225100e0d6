/** What lives in a device's memory, and who points at it. */
import type { AnonObj, BoObj, DeviceState, Power, World } from '../world/types.js';
import { deviceOf } from './pages.js';

/** A device event (reset, suspend, unplug) takes the device: others wait for process `pid`. */
export function claimDevice(d: DeviceState, power: Power, pid: number): void {
  d.power = power;
  d.eventBy = pid;
}

/** The device event is over, leaving the device in `power`. */
export function releaseDevice(d: DeviceState, power: Power): void {
  d.power = power;
  d.eventBy = null;
}

export function deviceFrames(w: World, device: string): number[] {
  const out: number[] = [];
  w.frames.forEach((fr, f) => {
    if (fr.kind === 'vram' && fr.device === device) out.push(f);
  });
  return out;
}

export function onDevice(w: World, f: number, device: string): boolean {
  return deviceOf(w, f) === device;
}

/** One anon object's pages that anonPagesOn reports. */
function pagesOn(w: World, o: AnonObj, device: string): number[] {
  const pages: number[] = [];
  o.page.forEach((pg, i) => {
    const pte = pg.pte;
    if (
      (pte.t === 'present' || pte.t === 'devpriv' || pte.t === 'migration') &&
      onDevice(w, pte.f, device)
    )
      pages.push(i);
  });
  return pages;
}

/** Anon pages whose PTE (present, device-private or migration entry) points into the device. */
export function anonPagesOn(w: World, device: string): { o: AnonObj; pages: number[] }[] {
  const out: { o: AnonObj; pages: number[] }[] = [];
  for (const o of Object.values(w.objects)) {
    if (o.kind !== 'anon') continue;
    const pages = pagesOn(w, o, device);
    if (pages.length > 0) out.push({ o, pages });
  }
  return out;
}

/** The first entry of anonPagesOn, without looking at the objects after it. */
export function firstAnonPagesOn(
  w: World,
  device: string,
): { o: AnonObj; pages: number[] } | undefined {
  for (const o of Object.values(w.objects)) {
    if (o.kind !== 'anon') continue;
    const pages = pagesOn(w, o, device);
    if (pages.length > 0) return { o, pages };
  }
  return undefined;
}

export function bosIn(w: World, device: string, placement?: 'vram' | 'system'): BoObj[] {
  return Object.values(w.objects).filter(
    (o): o is BoObj =>
      o.kind === 'bo' &&
      o.device === device &&
      (placement === undefined || o.placement === placement),
  );
}

/** A pin holding data in the device's VRAM. */
export function vramPinned(w: World, device: string): boolean {
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) {
      if (io.pin?.frames.some((f) => onDevice(w, f, device))) return true;
    }
  }
  return false;
}

/** Pinned frames of the device (what release must wait for). */
export function pinnedFrames(w: World, device: string): number[] {
  const out: number[] = [];
  for (const imp of Object.values(w.importers)) {
    for (const io of Object.values(imp.objs)) {
      for (const f of io.pin?.frames ?? []) if (onDevice(w, f, device)) out.push(f);
    }
  }
  return out;
}
