/**
 * The alphabet: every event the specification knows, as the implementation emits it.
 *
 * Names are `machine.verb` in the kernel's own vocabulary. Instances of a machine are keyed by
 * what the event names: `obj` (an object key, `name#uid`), `page` (index in the object),
 * `importer` and `device` (ids from the config). The implementation imports only these types.
 */

/** Object key: `name#uid`, unique for the whole run even when a name is reused. */
export type ObjKey = string;

export type PageWhere = 'system' | 'private' | 'coherent';

export type ObjectEvent =
  | {
      type: 'obj.create';
      obj: ObjKey;
      kind: 'anon' | 'bo';
      pages: number;
      /** bo: where it was created, and the device that exports it. */
      placement?: 'vram' | 'system';
      device?: string;
    }
  | { type: 'obj.destroy'; obj: ObjKey }
  /** The last user went away: the object and its frames are gone. */
  | { type: 'obj.release'; obj: ObjKey };

export type PageEvent =
  /**
   * First touch: a zero-filled system page is mapped; with `shmem`, the page of a shared
   * mapping's page cache (allocated there by the file's first touch of it).
   */
  | { type: 'page.populate'; obj: ObjKey; page: number; shmem?: true }
  | { type: 'page.swap_out'; obj: ObjKey; page: number }
  | { type: 'page.swap_in'; obj: ObjKey; page: number }
  /** A migration entry replaced the CPU PTE (under the PTL). */
  | { type: 'page.migrate_collect'; obj: ObjKey; page: number }
  /** The migration entry was replaced by the new frame. */
  | {
      type: 'page.migrate_commit';
      obj: ObjKey;
      page: number;
      to: PageWhere;
      device: string | null;
    }
  /** The migration entry was replaced by the old frame again (copy failed). */
  | { type: 'page.migrate_restore'; obj: ObjKey; page: number }
  /** The CPU mapping was torn down and the range is gone (obj.destroy, vma.unmap). */
  | { type: 'page.unmap'; obj: ObjKey; page: number }
  /**
   * MADV_DONTNEED zapped the mapping: the next touch gets a zero page; with `cached`, a shmem
   * page stays in its page cache and the next touch maps it again.
   */
  | { type: 'page.zap'; obj: ObjKey; page: number; cached?: true }
  /** `write`: FOLL_WRITE. */
  | {
      type: 'page.pin';
      importer: string;
      obj: ObjKey;
      page: number;
      longterm: boolean;
      write: boolean;
    }
  /**
   * `stale`: the pin was taken before the process last dropped the page (munmap, DONTNEED) or
   * copied it (COW).
   */
  | { type: 'page.unpin'; importer: string; obj: ObjKey; page: number; stale: boolean }
  /** fork write-protected the parent's page: it is shared copy-on-write with the child. */
  | { type: 'page.share'; obj: ObjKey; page: number }
  /**
   * fork gave the child's page its mapping: `shared` the parent's frame copy-on-write, or its own
   * copy (a maybe-pinned page); `where` it lives.
   */
  | {
      type: 'page.inherit';
      obj: ObjKey;
      page: number;
      where: PageWhere | 'swap' | 'poison';
      device: string | null;
      shared: boolean;
    }
  /** A write fault (or a read-only pin's unshare) gave the process its own copy in system RAM. */
  | { type: 'page.cow'; obj: ObjKey; page: number }
  /** A write fault on a write-protected page nobody else holds made it writable in place. */
  | { type: 'page.reuse'; obj: ObjKey; page: number }
  /** mprotect changed the page's protection. */
  | { type: 'page.protect'; obj: ObjKey; page: number; prot: 'rw' | 'r' }
  /** make_device_exclusive: the CPU PTE became a device-exclusive entry for the importer. */
  | { type: 'page.exclusive'; obj: ObjKey; page: number; importer: string }
  /** A CPU access took the page back from device-exclusive access: the PTE is restored. */
  | { type: 'page.restore'; obj: ObjKey; page: number }
  /** The page's data was lost with VRAM and the loss was reported. */
  | { type: 'page.lost'; obj: ObjKey; page: number; byReset: boolean }
  /** Its device's memory went away (surprise removal): the PTE is a hwpoison entry now. */
  | { type: 'page.poison'; obj: ObjKey; page: number; device: string };

/** enum mmu_notifier_event: why a range is invalidated. */
export type InvalidateReason =
  | 'migrate'
  | 'clear'
  | 'unmap'
  | 'release'
  | 'protection_page'
  | 'protection_vma'
  | 'exclusive';

export type NotifierEvent =
  | {
      type: 'mmu.invalidate_start';
      obj: ObjKey;
      blockable: boolean;
      /**
       * MMU_NOTIFY_MIGRATE, _CLEAR (reclaim, copy-on-write, MADV_DONTNEED), _UNMAP (munmap),
       * _RELEASE (device removal), _PROTECTION_PAGE (fork's write-protect), _PROTECTION_VMA
       * (mprotect), _EXCLUSIVE (make_device_exclusive).
       */
      event: InvalidateReason;
      /** MMU_NOTIFY_MIGRATE: the migration's pgmap owner (a device), or null. */
      owner: string | null;
    }
  | { type: 'mmu.invalidate_end'; obj: ObjKey }
  /** A non-blockable invalidation was refused: the core ended it, the caller gets EAGAIN. */
  | { type: 'mmu.invalidate_refused'; obj: ObjKey };

export type SubscriptionEvent =
  | { type: 'sub.insert'; importer: string; obj: ObjKey; deferred: boolean }
  | { type: 'sub.remove'; importer: string; obj: ObjKey }
  /** The subscriber's invalidate() ran: set_seq, zap, DMA drained. */
  | { type: 'sub.invalidate'; importer: string; obj: ObjKey }
  | { type: 'sub.read_begin'; importer: string; obj: ObjKey }
  | { type: 'sub.read_retry'; importer: string; obj: ObjKey; changed: boolean };

export type DevicePageTableEvent =
  /** The importer learned the PFN of a page (hmm_range_fault, a dma-buf sg table). */
  | { type: 'devpt.view'; importer: string; obj: ObjKey; page: number }
  /** The importer wrote the PFN into its device page table. */
  | {
      type: 'devpt.set';
      importer: string;
      obj: ObjKey;
      page: number;
      device: string | null;
      /** The device may write through the entry. */
      write: boolean;
    }
  | { type: 'devpt.zap'; importer: string; obj: ObjKey; page: number };

export type BoEvent =
  | { type: 'bo.share'; obj: ObjKey }
  | { type: 'bo.unshare'; obj: ObjKey }
  /** The exporter told every dynamic attachment that the bo is about to move. */
  | { type: 'bo.move_notify'; obj: ObjKey }
  /** Placement switched (TTM pipelined move: the move fence is not yet signalled). */
  | { type: 'bo.move'; obj: ObjKey; to: 'vram' | 'system' }
  /** The move fence signalled: the copy is done. */
  | { type: 'bo.move_fence'; obj: ObjKey; ok: boolean }
  | { type: 'bo.pin'; importer: string; obj: ObjKey; vram: boolean }
  | { type: 'bo.unpin'; importer: string; obj: ObjKey }
  /** Data of the bo was lost with VRAM and the loss reported. */
  | { type: 'bo.lost'; obj: ObjKey; byReset: boolean }
  /** Unplug: the CPU mappings of the bo now point at the dummy page. */
  | { type: 'bo.dummy'; obj: ObjKey };

export type AttachmentEvent =
  | { type: 'att.attach'; importer: string; obj: ObjKey; p2p: boolean; dynamic: boolean }
  | { type: 'att.map'; importer: string; obj: ObjKey; vram: boolean }
  | { type: 'att.unmap'; importer: string; obj: ObjKey }
  /** move_notify / invalidate_mappings reached this attachment. */
  | { type: 'att.invalidate'; importer: string; obj: ObjKey }
  | { type: 'att.detach'; importer: string; obj: ObjKey }
  /** The attachment's memory was freed. */
  | { type: 'att.free'; importer: string; obj: ObjKey }
  /** The importer touched its attachment structure (a callback ran on it). */
  | { type: 'att.touch'; importer: string; obj: ObjKey };

export type DeviceEvent =
  | { type: 'dev.hang'; device: string }
  | { type: 'dev.reset_stop'; device: string }
  | { type: 'dev.reset'; device: string; vramLost: boolean }
  | { type: 'dev.recover'; device: string }
  | { type: 'dev.freeze'; device: string }
  | { type: 'dev.poweroff'; device: string }
  | { type: 'dev.suspend_failed'; device: string }
  | { type: 'dev.resume'; device: string }
  /** surprise: removed without an orderly unbind; its memory went with it. */
  | { type: 'dev.gone'; device: string; surprise: boolean }
  | { type: 'dev.revoke'; device: string }
  | { type: 'dev.release'; device: string };

export type JobEvent =
  | { type: 'job.submit'; importer: string; obj: ObjKey }
  | { type: 'job.run'; importer: string; obj: ObjKey }
  | { type: 'job.preempt'; importer: string; obj: ObjKey }
  | { type: 'job.resume'; importer: string; obj: ObjKey }
  /** The user ended a compute job (its fence signals). */
  | { type: 'job.complete'; importer: string; obj: ObjKey }
  | { type: 'job.done'; importer: string; obj: ObjKey };

export type DmaEvent =
  | { type: 'dma.issue'; importer: string; obj: ObjKey; page: number; write: boolean }
  | { type: 'dma.complete'; importer: string; obj: ObjKey; page: number };

/** Peer-to-peer through a device VMA (the LKML thread "[RFC PATCH 3/5] mm/vma: …", 2019). */
export type VmaEvent =
  | { type: 'vma.mmap'; obj: ObjKey; offset: number; pages: number }
  | { type: 'vma.munmap'; obj: ObjKey }
  /** A CPU fault populated a PTE of the VMA (ttm_bo_vm_fault). */
  | { type: 'vma.fault'; obj: ObjKey }
  /** zap_vma_ptes finished: no PTE and no p2p map reaches the bo through the VMA. */
  | { type: 'vma.zap'; obj: ObjKey }
  /** p2p_map: the exporter mapped the VMA for an importer, in VRAM (through the BAR) or RAM. */
  | { type: 'p2p.map'; importer: string; obj: ObjKey; vram: boolean }
  | { type: 'p2p.unmap'; importer: string; obj: ObjKey }
  /** p2p_map with the pin flag: the bo is pinned for an importer that answers no notifier. */
  | { type: 'p2p.pin'; importer: string; obj: ObjKey; vram: boolean }
  | { type: 'p2p.unpin'; importer: string; obj: ObjKey }
  /** A page of BAR window handed to an importer's map, and given back. */
  | { type: 'bar.alloc'; device: string; slot: number; importer: string; obj: ObjKey }
  | { type: 'bar.free'; device: string; slot: number; importer: string; obj: ObjKey };

export type ProcessEvent =
  /** fork started: `child` is the new address space, not yet running. */
  | { type: 'proc.fork'; process: string; child: string }
  /** fork returned: the child runs. */
  | { type: 'proc.forked'; process: string; child: string }
  /** fork failed (ENOMEM): the half-built child was torn down. */
  | { type: 'proc.fork_failed'; process: string; child: string };

export type SpecEvent =
  | VmaEvent
  | ProcessEvent
  | ObjectEvent
  | PageEvent
  | NotifierEvent
  | SubscriptionEvent
  | DevicePageTableEvent
  | BoEvent
  | AttachmentEvent
  | DeviceEvent
  | JobEvent
  | DmaEvent;

export type SpecEventType = SpecEvent['type'];
