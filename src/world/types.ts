/**
 * The simulated kernel's whole state: plain, serializable data (no classes, no closures), so a
 * run replays deterministically, clones cheaply and hashes canonically.
 */
import type { SpecEvent } from '../../models/alphabet.js';
import type { Config, Domain } from './config.js';
import type { Errno } from './errno.js';

/** What a frame holds: a value and who wrote it (object uid, page). `null` is zero-filled. */
/**
 * What a frame holds: value `v` written to page `p` of the object with uid `o`, by the write
 * numbered `s` (run-wide, increasing: provenance across fork needs to know what came after it).
 */
export type Content = {
  readonly v: number;
  readonly o: number;
  readonly p: number;
  readonly s: number;
} | null;

export type FrameKind = 'system' | 'vram' | 'dummy';
/**
 * free: on a free list. used: allocated. garbage: allocated, content destroyed by a VRAM loss.
 * dummy: the zero page unplugged bos are remapped to. reserved: VRAM past the managed size.
 */
export type FrameState = 'free' | 'used' | 'garbage' | 'dummy' | 'reserved';

export interface Frame {
  readonly kind: FrameKind;
  readonly device: string | null;
  state: FrameState;
  /** Allocation tag: bumped on every allocation, so a reused frame is a new identity. */
  tag: number;
  data: Content;
  /** The object page it was allocated for (null once orphaned). */
  owner: { obj: string; page: number } | null;
  /** Temporary references (get_page) held by processes. */
  refs: number;
  /** FOLL_PIN / dma-buf pin count. */
  pins: number;
  /**
   * How many CPU page-table entries map it (the rmap's mapcount): more than one after fork
   * shares it copy-on-write. A frame still mapped is not freed when one mapping lets go.
   */
  maps: number;
  /**
   * PageAnonExclusive: the anon page is this process's alone (a fresh page, a copy, a page
   * reused in place). fork clears it when the child shares the page; a write fault on an
   * exclusive page reuses it in place whatever its refcount, which is why a pinned page stays put.
   */
  anonExclusive: boolean;
}

/** A device page-table entry: the PFN and the allocation tag it was learned with. */
export interface DevPte {
  readonly f: number;
  readonly tag: number;
  /** The device may write through it (a read fault maps read-only). */
  readonly write: boolean;
  /**
   * A device-atomic entry (make_device_exclusive): the device operates on the page in its own
   * cache; `held` is what it wrote there, written back to the frame when the entry is zapped.
   */
  readonly atomic?: true;
  readonly held?: Content;
}

export type Pte =
  | { readonly t: 'none' }
  /** `write`: the PTE allows writes (write-protected: read-only or copy-on-write). */
  | { readonly t: 'present'; readonly f: number; readonly dirty: boolean; readonly write: boolean }
  /** Device-private swap entry: not CPU-addressable. */
  | { readonly t: 'devpriv'; readonly f: number; readonly dirty: boolean; readonly write: boolean }
  | {
      readonly t: 'migration';
      readonly f: number;
      readonly dirty: boolean;
      readonly write: boolean;
      readonly by: number;
      readonly priv: boolean;
    }
  /**
   * A device-exclusive entry (make_device_exclusive): the page is the importer's device's alone
   * for atomics; a CPU access faults, takes it back (MMU_NOTIFY_EXCLUSIVE) and restores the PTE.
   */
  | {
      readonly t: 'exclusive';
      readonly f: number;
      readonly dirty: boolean;
      readonly write: boolean;
      readonly importer: string;
    }
  | { readonly t: 'swap'; readonly slot: number }
  /**
   * A hwpoison entry: the page's memory went away with its device (surprise removal). Any
   * access gets SIGBUS (EIO); gup and hmm_range_fault get EFAULT; only munmap clears it.
   */
  | { readonly t: 'poison' };

export interface Tlb {
  readonly f: number;
  readonly dirty: boolean;
}

export interface AnonPage {
  pte: Pte;
  /** The CPU TLB entry, apart from the PTE: stale until flushed. */
  tlb: Tlb | null;
  /** Swap slot holding a copy of the page (valid while the page is clean). */
  swap: number | null;
  /** Page lock holder (migration, reclaim). */
  lockedBy: number | null;
  /** Data lost with VRAM, loss reported: reads return "lost" until rewritten. */
  lost: boolean;
  /**
   * The VMA's protection at this page: read-write, read-only (mprotect), or none: the range was
   * unmapped (munmap), so an access is SIGSEGV (EFAULT).
   */
  prot: 'rw' | 'r' | 'none';
  /**
   * How many times the process dropped this page (munmap, MADV_DONTNEED): a pin taken before
   * a drop no longer has to match what the process maps.
   */
  drops: number;
  /** How many times a copy-on-write gave the process a new copy of this page. */
  cows: number;
}

interface ObjBase {
  readonly name: string;
  /**
   * `name#uid`: the key the specification knows it by (a child's shared range, which has its
   * parent's uid, is keyed by a fresh number instead: every object has a key of its own).
   */
  readonly key: string;
  readonly uid: number;
  readonly pages: number;
  destroyed: boolean;
}

export interface AnonObj extends ObjBase {
  readonly kind: 'anon';
  /** The process whose address space the range is in. */
  readonly process: string;
  /**
   * MAP_SHARED|MAP_ANONYMOUS: the pages are shmem, kept in a page cache (World.shmem, by uid)
   * that every range sharing them faults from; fork shares the range instead of copying it, so
   * the child's range has the parent's uid. Absent: a private range (MAP_PRIVATE).
   */
  readonly shared?: true;
  page: AnonPage[];
  /** mmap_lock: migrate_vma holds it for read from setup to finalize, munmap for write. */
  mmap: { readers: number[]; writer: number | null };
}

export interface MoveFence {
  /** The moving process; the fence signals when its copy is done. */
  readonly by: number;
  signalled: boolean;
  /** Until the fence signals, the bo's data is still in these (old) frames. */
  readonly src: readonly number[];
}

export interface BoObj extends ObjBase {
  readonly kind: 'bo';
  readonly device: string;
  readonly domains: readonly Domain[];
  placement: Domain;
  frames: number[];
  shared: boolean;
  /** The pending move's fence (KERNEL usage), until it signals. */
  fence: MoveFence | null;
  /** Placed-in-VRAM clock, for least-recently-placed eviction. */
  placedAt: number;
  /** CPU mapping per page: the frame mapped through the BAR, the dummy page, or none. */
  cpu: (number | null)[];
  /** Reservation (dma_resv) lock holder. */
  resv: number | null;
  /** Data lost with VRAM, loss reported. */
  lost: boolean[];
  /** Set while a move process owns the bo. */
  movingBy: number | null;
  /** The device VMA userspace mmapped it through (obj.mmap), if any: at most one. */
  vma?: DeviceVma | null;
}

/**
 * A VMA of the device file mapping one bo at an offset (p2p.md): its PTEs are the bo's CPU
 * mapping (`cpu`), its vm_ops carry p2p_map / p2p_unmap, and the exporter zaps it
 * (zap_vma_ptes) before the bo moves.
 */
export interface DeviceVma {
  /** First page of the bo it maps, and how many. */
  readonly offset: number;
  readonly pages: number;
}

export type Obj = AnonObj | BoObj;

export interface Subscription {
  /** The subscription's invalidate_seq. */
  seq: number;
  /** Inserted during an invalidation: not in the interval tree until it ends. */
  deferred: boolean;
  /** Attach order (notification order). */
  readonly order: number;
}

export interface Attachment {
  readonly p2p: boolean;
  readonly dynamic: boolean;
  readonly order: number;
  /** The sg table the exporter returned at map, or null. */
  sg: DevPte[] | null;
  /** Whether the mapping points into VRAM. */
  vram: boolean;
  /** Invalidated by move_notify: re-map on next use. */
  invalidated: boolean;
  /** Detach has begun (revoked): a second detach finds nothing. */
  revoked: boolean;
  /** Freed (detach completed). */
  freed: boolean;
}

export interface Pin {
  readonly pages: readonly number[];
  readonly frames: readonly number[];
  readonly longterm: boolean;
  /** FOLL_WRITE: the importer writes through it (a read-only pin may not). */
  readonly write: boolean;
  /** Each page's drop and copy-on-write counts when pinned (see AnonPage). */
  readonly drops: readonly number[];
  readonly cows: readonly number[];
  /** dma-buf pin: whether it holds the bo in VRAM. */
  readonly vram: boolean;
  /**
   * Pages of an earlier life (the process dropped the page since) whose data the pinned frame
   * lost with VRAM, the loss reported: reads through the pin return "lost".
   */
  readonly lost?: readonly number[];
}

export type JobState = 'validating' | 'running' | 'preempted' | 'done';

export interface Job {
  readonly pid: number;
  state: JobState;
  /** The GPU page table as it was when the queues were preempted. */
  saved: (DevPte | null)[] | null;
}

export interface ImporterObj {
  readonly obj: string;
  sub: Subscription | null;
  att: Attachment | null;
  pin: Pin | null;
  /** Device page table, one entry per page of the object. */
  pt: (DevPte | null)[];
  /** imp.map succeeded and no imp.unmap since. */
  mapped: boolean;
  job: Job | null;
  /** A map through the bo's device VMA (p2p_map), until p2p_unmap. */
  vma?: VmaMap | null;
}

/** What p2p_map handed an importer of a device VMA (p2p.md). */
export interface VmaMap {
  /** The exporting device, and the BAR window pages the map holds (VRAM maps only). */
  readonly device: string;
  readonly slots: readonly number[];
  /** The VRAM frame each window page exposes. */
  readonly frames: readonly number[];
  readonly vram: boolean;
  /** Taken with the pin flag (gup FOLL_LONGTERM, vfio): the pin is in `pin`. */
  readonly pinned: boolean;
  /** The exporter killed the map (unplug): the next access fails with EIO or reads the dummy page. */
  revoked: 'eio' | 'dummy' | null;
}

export interface ImporterState {
  readonly id: string;
  /** The driver update lock (mutex) holder. */
  driverLock: number | null;
  /** The notifier lock (read side of ODP's umem_rwsem, modelled exclusive) holder. */
  notifierLock: number | null;
  objs: Record<string, ImporterObj>;
}

export type Power =
  | 'active'
  | 'hung'
  | 'resetting'
  | 'suspending'
  | 'suspended'
  | 'resuming'
  | 'unplugging'
  | 'gone';

export interface DeviceState {
  readonly id: string;
  power: Power;
  vramLost: number;
  /** New work into VRAM refused (suspend from freeze until resume). */
  frozen: boolean;
  /** Operations get ENODEV (unplug from gone). */
  gone: boolean;
  /** Removed by surprise (dev.unplug surprise): its memory and engine went with it. */
  surprise: boolean;
  /** The device event process in progress, if any. */
  eventBy: number | null;
  /** BAR window pages: `importer:obj` of the p2p map holding each, or null when free. */
  bar?: (string | null)[];
}

export interface Invalidation {
  readonly id: number;
  readonly obj: string;
  readonly by: number;
  readonly overlapped: boolean;
}

export interface MmState {
  /** The interval-notifier sequence: odd while an overlapping invalidation is active. */
  seq: number;
  /** active_invalidate_ranges. */
  active: number;
  /** Bookkeeping of the invalidations in progress (what the counter should count). */
  ranges: Invalidation[];
}

export interface SwapSlot {
  used: boolean;
  data: Content;
  /** Swap entries and swap-cache copies that refer to it (fork shares them). */
  refs: number;
}

export interface InflightDma {
  readonly id: number;
  readonly by: number;
  readonly importer: string;
  readonly obj: string;
  readonly page: number;
  readonly f: number;
  readonly write: boolean;
  /**
   * A reset destroyed the frame's content while the DMA was in flight: it completes with an
   * error instead of reading or writing the garbage.
   */
  failed: boolean;
}

/** What a step saw, for the observers: reads, writes and touches of memory. */
export type Observation =
  | {
      readonly k: 'read';
      readonly who: string;
      readonly obj: string;
      readonly uid: number;
      readonly page: number;
      readonly value: number | 'lost';
      readonly data: Content;
      readonly f: number;
      /** The DMA this read completes, if it is one. */
      readonly dma?: number;
      /** Which life of the page (pageLife): a pin taken before a drop or a COW reads the old one. */
      readonly gen?: number;
    }
  | {
      readonly k: 'write';
      readonly who: string;
      readonly obj: string;
      readonly page: number;
      readonly value: number;
      readonly f: number;
      readonly gen?: number;
    }
  /** A DMA read was issued: it may return any value the page holds while it is in flight. */
  | {
      readonly k: 'read-issue';
      readonly id: number;
      readonly obj: string;
      readonly page: number;
      readonly gen?: number;
    }
  /** A copy-on-write started the page's life `to` with the value of its life `from`. */
  | {
      readonly k: 'cow';
      readonly obj: string;
      readonly page: number;
      readonly from: number;
      readonly to: number;
    }
  /** fork: the child object `to` starts with the values `from` has now (page i's life gens[i]). */
  | {
      readonly k: 'fork';
      readonly from: string;
      readonly to: string;
      readonly gens: readonly number[];
    }
  | { readonly k: 'touch-free'; readonly f: number; readonly what: string }
  | { readonly k: 'touch-detached'; readonly importer: string; readonly obj: string }
  | { readonly k: 'lost'; readonly obj: string; readonly page: number; readonly gen?: number }
  | { readonly k: 'read-garbage'; readonly who: string; readonly obj: string; readonly f: number }
  | { readonly k: 'freed-pinned'; readonly f: number }
  /** dev.reset reported a VRAM loss: these frames' content is gone. */
  | { readonly k: 'loss-reported'; readonly device: string; readonly frames: readonly number[] }
  /** Unplug finished revoking: nothing may point at these frames any more but pins. */
  | { readonly k: 'revoked'; readonly device: string; readonly frames: readonly number[] };

export interface StepLog {
  events: SpecEvent[];
  obs: Observation[];
}

export type Wait =
  | { readonly on: 'lock'; readonly lock: string; readonly holder: number | null }
  | { readonly on: 'page'; readonly obj: string; readonly page: number; readonly holder: number }
  | {
      readonly on: 'notifier';
      readonly importer: string;
      readonly obj: string;
      readonly seq: number;
    }
  | { readonly on: 'dma'; readonly ids: readonly number[] }
  | { readonly on: 'fence'; readonly obj: string; readonly holder: number }
  | { readonly on: 'job'; readonly importer: string; readonly obj: string; readonly user: boolean }
  /** A compute job waiting for imp.complete (its own end: a user action). */
  | { readonly on: 'complete'; readonly importer: string; readonly obj: string }
  /** No free frame in RAM: waits for memory to be freed (the OOM killer, the user). */
  | { readonly on: 'memory' }
  | { readonly on: 'device'; readonly device: string; readonly power: Power }
  | { readonly on: 'engine'; readonly device: string; readonly job: number }
  | { readonly on: 'unpin'; readonly frames: readonly number[] }
  | { readonly on: 'proc'; readonly pid: number; readonly why: string }
  | { readonly on: 'invalidation'; readonly obj: string }
  | { readonly on: 'mmap'; readonly obj: string; readonly holders: readonly number[] };

export type OpValue = number | 'lost' | Record<string, number | boolean> | undefined;

export type OpResult =
  | { readonly ok: true; readonly value?: OpValue }
  | { readonly ok: false; readonly error: Errno };

export interface Proc {
  readonly pid: number;
  readonly label: string;
  readonly op: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The next atomic step (program counter). */
  pc: string;
  /** Set while the next step cannot run. */
  wait: Wait | null;
  /** Frames this process holds pointers to and will touch. */
  holds: number[];
  /** The op's own state. */
  st: unknown;
}

/** Work submitted to a hung device's engine: it completes only when a reset fails it. */
export interface EngineJob {
  readonly id: number;
  readonly device: string;
  failed: boolean;
}

export interface Inherited {
  readonly uid: number;
  /** Data of `uid` numbered below this (Content.s) was written before the fork. */
  readonly before: number;
}

export interface ProcessState {
  readonly name: string;
  readonly parent: string | null;
  /** fork has returned: the process runs (operations may name it). */
  ready: boolean;
}

export interface World {
  readonly config: Config;
  readonly faults: Readonly<Record<string, true>>;
  frames: Frame[];
  /** Free lists per pool (`system`, `vram:<dev>`): most recently freed on top. */
  free: Record<string, number[]>;
  /**
   * The frame table's pin summary, kept by the pin primitives: the sum of every frame's pin
   * count and how many frames have a non-zero one.
   */
  pinStats: { sum: number; frames: number };
  /** First frame index of each pool, and its managed size. */
  readonly pools: Record<string, { readonly first: number; readonly size: number }>;
  readonly dummyFrame: number;
  swap: SwapSlot[];
  objects: Record<string, Obj>;
  devices: Record<string, DeviceState>;
  importers: Record<string, ImporterState>;
  mm: MmState;
  dma: InflightDma[];
  jobs: EngineJob[];
  procs: Proc[];
  /** Address spaces: the first (`p0`) and the children proc.fork made. */
  processes: Record<string, ProcessState>;
  nextPid: number;
  /** Writes so far (Content.s numbers them). */
  writes: number;
  /**
   * What a forked object inherited, by uid: its ancestors' data written before each fork is its
   * own too (provenance across fork).
   */
  lineage: Record<number, readonly Inherited[]>;
  /**
   * The page cache of each shared anonymous mapping (shmem), by the uid its ranges share: the
   * frame of each page, or null before its first touch. It holds its frames until the last range
   * mapping it is unmapped.
   */
  shmem: Record<number, (number | null)[]>;
  nextUid: number;
  nextId: number;
  /** Logical clock for LRU. */
  clock: number;
  /** The current atomic step's events and observations. */
  log: StepLog;
}
