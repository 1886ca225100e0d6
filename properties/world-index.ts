/**
 * The observers' index of the world, built at most once per atomic step and shared by the
 * invariants: which frames are referenced (at all, and by owning references), the first
 * reference to a free frame, how many references reach each device's memory, and how many pins
 * each frame should carry. It costs what the world references (objects, pins, DMA, processes),
 * not what it could hold (frames), and allocates nothing per step: per-frame marks are stamped
 * with the step's number instead of cleared.
 */
import type { World } from '../src/world/types.js';
import type { ImporterObjRef } from './invariants/backing.js';
import { REF_KINDS, type RefVisitor } from './ref-kinds.js';

export class WorldIndex implements RefVisitor {
  private stamp = 0;
  private readonly anyMark: Int32Array;
  private readonly owningMark: Int32Array;
  private readonly pinMark: Int32Array;
  private readonly pinCount: Int32Array;
  /** Device index of each frame (-1: system memory or the dummy page). */
  private readonly frameDevice: Int16Array;
  readonly devices: readonly string[];
  private readonly deviceCount: Int32Array;
  /** Distinct used or garbage frames that an owning reference points at. */
  ownedUsed = 0;
  /** The first reference found to a free frame (the kind's name), if any. */
  freeRef: { readonly f: number; readonly kind: string } | null = null;
  /** Distinct frames some pin points at, with how many pins each should carry. */
  readonly pinned: number[] = [];
  /** While building: the world and the kind of reference being walked. */
  private frames: World['frames'] = [];
  private kind = '';
  private owning = false;

  constructor(w: World) {
    const n = w.frames.length;
    this.anyMark = new Int32Array(n);
    this.owningMark = new Int32Array(n);
    this.pinMark = new Int32Array(n);
    this.pinCount = new Int32Array(n);
    this.devices = w.config.devices.map((d) => d.id);
    this.frameDevice = new Int16Array(n).fill(-1);
    w.frames.forEach((fr, f) => {
      if (fr.kind === 'vram' && fr.device !== null)
        this.frameDevice[f] = this.devices.indexOf(fr.device);
    });
    this.deviceCount = new Int32Array(this.devices.length);
  }

  /** Rebuild for the world as it is after this step. */
  build(w: World, imps: readonly ImporterObjRef[]): void {
    this.stamp += 1;
    const s = this.stamp;
    this.ownedUsed = 0;
    this.freeRef = null;
    this.pinned.length = 0;
    this.deviceCount.fill(0);
    this.frames = w.frames;
    for (const kind of REF_KINDS) {
      this.kind = kind.name;
      this.owning = kind.owning;
      kind.each(w, imps, this);
    }
    for (const { io } of imps) {
      if (!io.pin) continue;
      for (const f of io.pin.frames) {
        if (this.pinMark[f] !== s) {
          this.pinMark[f] = s;
          this.pinCount[f] = 0;
          this.pinned.push(f);
        }
        this.pinCount[f] = (this.pinCount[f] ?? 0) + 1;
      }
    }
  }

  /** A reference of the kind being walked points at frame f. */
  ref(f: number): void {
    const fr = this.frames[f];
    if (!fr) return;
    const s = this.stamp;
    if (fr.state === 'free' && this.freeRef === null) this.freeRef = { f, kind: this.kind };
    const dev = this.frameDevice[f] ?? -1;
    if (dev >= 0) this.deviceCount[dev] = (this.deviceCount[dev] ?? 0) + 1;
    this.anyMark[f] = s;
    if (this.owning && this.owningMark[f] !== s) {
      this.owningMark[f] = s;
      if (fr.state === 'used' || fr.state === 'garbage') this.ownedUsed += 1;
    }
  }

  /** Some reference (owning or not) points at frame f. */
  referenced(f: number): boolean {
    return this.anyMark[f] === this.stamp;
  }

  owned(f: number): boolean {
    return this.owningMark[f] === this.stamp;
  }

  /** How many pins point at frame f. */
  pins(f: number): number {
    return this.pinMark[f] === this.stamp ? (this.pinCount[f] ?? 0) : 0;
  }

  /** Some reference points into the device's memory. */
  refersToDevice(device: string): boolean {
    const i = this.devices.indexOf(device);
    return i >= 0 && (this.deviceCount[i] ?? 0) > 0;
  }
}
